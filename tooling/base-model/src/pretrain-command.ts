import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MetaLoraError, Rng, writeFileAtomic } from '@meta-lora/artifacts';
import {
  type BackendChoice,
  type GenerationConfig,
  generate,
  initBackend,
  type LlamaModel,
  loadModel,
} from '@meta-lora/lora-core';
import { measureBitsPerByte } from './bits-per-byte.ts';
import { intFlag, readConfigJson } from './command-flags.ts';
import { exportModel } from './export-model.ts';
import { heldOutLoss } from './held-out-loss.ts';
import { type ModelCardDecoding, type ModelCardSample, modelCard } from './model-card.ts';
import { pretrain } from './pretrain.ts';
import type { TrainerState } from './pretrain-checkpoint.ts';
import { extendRun, type PretrainConfig, parsePretrainConfig } from './pretrain-config.ts';
import { type PretrainData, pretrainData } from './pretrain-data.ts';
import { readPretrainLog } from './pretrain-log.ts';
import { pretrainStateFiles } from './pretrain-state.ts';

/** The package's cache directory (token streams, default run directory); gitignored. */
export const CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url));

/** Prompts of the model card's samples. */
export const SAMPLE_PROMPTS = [
  'Once upon a time',
  'The President of the United States',
  'In the beginning',
  'Article 1. All human beings',
  'The capital of France is',
  'Il était une fois',
];

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * @example
 * await pretrainCommand(['--out', '../../models/meta-lora-base', '--max-minutes', '90']);
 */
export async function pretrainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      'run-dir': { type: 'string', default: join(CACHE_DIR, 'run') },
      tokenizer: { type: 'string' },
      config: { type: 'string' },
      'max-steps': { type: 'string' },
      seed: { type: 'string' },
      'max-minutes': { type: 'string' },
      'stop-after-step': { type: 'string' },
      resume: { type: 'boolean', default: false },
      'extend-to': { type: 'string' },
      'restart-lr': { type: 'string' },
      'restart-warmup': { type: 'string' },
      'init-from': { type: 'string' },
      'data-parallel': { type: 'string' },
      export: { type: 'boolean', default: false },
      backend: { type: 'string' },
    },
    strict: true,
  });
  if (!values.out) {
    throw new MetaLoraError('CONFIG_INVALID', '--out is required', {
      field: '--out',
      fix: 'pass the model directory to export, e.g. --out ../../models/meta-lora-base',
    });
  }
  const out = resolve(values.out);
  const runDir = resolve(values['run-dir']);
  const tokenizerDir = resolve(values.tokenizer ?? values.out);
  const continuing = values.resume || values.export;
  const overrides = values.config !== undefined || values['max-steps'] !== undefined || values.seed !== undefined;
  if (continuing && overrides) {
    throw new MetaLoraError('CONFIG_INVALID', '--config, --max-steps and --seed cannot change a run being resumed', {
      field: '--resume',
      fix: `the run's config is ${join(runDir, 'config.json')}; drop those flags, or start a new --run-dir`,
    });
  }
  const initFrom = values['init-from'] === undefined ? undefined : resolve(values['init-from']);
  if (initFrom !== undefined && continuing) {
    throw new MetaLoraError('CONFIG_INVALID', '--init-from starts a sitting; --resume and --export continue one', {
      field: '--init-from',
      value: values['init-from'],
      fix:
        'where the run directory survives, --resume continues it (with its AdamW moments); on a fresh clone pass ' +
        "--init-from DIR with the run's --config and no --resume",
    });
  }
  const extending = values['extend-to'] !== undefined;
  if (values['restart-lr'] !== undefined && !extending) {
    throw new MetaLoraError('CONFIG_INVALID', '--restart-lr only goes with --extend-to', {
      field: '--restart-lr',
      fix: 'add --extend-to N (with --resume), or drop it',
    });
  }
  if (values['restart-warmup'] !== undefined && !extending && initFrom === undefined) {
    throw new MetaLoraError('CONFIG_INVALID', '--restart-warmup only goes with --extend-to or --init-from', {
      field: '--restart-warmup',
      fix: 'add --extend-to N (with --resume) or --init-from DIR, or drop it',
    });
  }
  if (extending && (!values.resume || values.export)) {
    throw new MetaLoraError('CONFIG_INVALID', '--extend-to lengthens a run being resumed', {
      field: '--extend-to',
      value: values['extend-to'],
      fix: 'pass --resume with it (and not --export)',
    });
  }
  let config: PretrainConfig;
  if (continuing) {
    const configPath = join(runDir, 'config.json');
    config = parsePretrainConfig(readConfigJson(configPath), configPath);
    if (extending) {
      const restartLr = values['restart-lr'] === undefined ? config.train.lr / 2 : Number(values['restart-lr']);
      if (!(restartLr > 0)) {
        throw new MetaLoraError('CONFIG_INVALID', `--restart-lr must be positive, got ${values['restart-lr']}`, {
          field: '--restart-lr',
          value: values['restart-lr'],
          fix: 'pass e.g. --restart-lr 0.0015',
        });
      }
      const warmupSteps = intFlag(values['restart-warmup'], '--restart-warmup', 0) ?? config.train.warmupSteps;
      config = extendRun(config, intFlag(values['extend-to'], '--extend-to') as number, { lr: restartLr, warmupSteps });
      // The checkpoint keeps the old config's hash until the next checkpoint; `pretrain` accepts either.
      writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
      log(`extended ${runDir} to ${config.train.maxSteps} steps, restart lr ${restartLr} over ${warmupSteps} steps`);
    }
  } else {
    const input = (values.config ? readConfigJson(values.config) : {}) as { train?: Record<string, unknown> };
    const maxSteps = intFlag(values['max-steps'], '--max-steps');
    const seed = intFlag(values.seed, '--seed', 0);
    const train = {
      ...input.train,
      ...(maxSteps === undefined ? {} : { maxSteps }),
      ...(seed === undefined ? {} : { seed }),
    };
    config = parsePretrainConfig({ ...input, train }, values.config ?? 'defaults and flags');
  }
  const maxMinutes = values['max-minutes'] === undefined ? undefined : Number(values['max-minutes']);
  if (maxMinutes !== undefined && !(maxMinutes > 0)) {
    throw new MetaLoraError('CONFIG_INVALID', `--max-minutes must be positive, got ${values['max-minutes']}`, {
      field: '--max-minutes',
      value: values['max-minutes'],
      fix: 'pass e.g. --max-minutes 90',
    });
  }
  const dataParallel = intFlag(values['data-parallel'], '--data-parallel', 0, 2);
  const restartWarmup =
    initFrom === undefined ? undefined : intFlag(values['restart-warmup'], '--restart-warmup', 0, 50);
  const backend = await initBackend(values.backend ? { backend: values.backend as BackendChoice } : {});
  const data = await pretrainData({ tokenizerDir, cacheDir: CACHE_DIR, corpus: config.data.corpus, log });
  const stopAfterStep = values.export ? 0 : intFlag(values['stop-after-step'], '--stop-after-step', 0);
  const result = await pretrain(config, data.streams, {
    runDir,
    tokens: data.tokens,
    resume: continuing,
    ...(initFrom === undefined ? {} : { initFrom }),
    ...(restartWarmup === undefined ? {} : { restartWarmup }),
    ...(dataParallel === undefined ? {} : { dataParallel }),
    ...(maxMinutes === undefined ? {} : { maxMinutes }),
    ...(stopAfterStep === undefined ? {} : { stopAfterStep }),
    log,
  });
  await exportWithCard(result.model, out, {
    config,
    state: result.state,
    finished: result.finished,
    runDir,
    tokenizerDir,
    data,
    backend:
      `${backend.name} backend, ${backend.threads} thread(s)` +
      (dataParallel ? `, data-parallel on ${dataParallel} worker threads` : ''),
  });
  result.model.dispose();
}

/** Exports the model, then measures the exported directory (held-out loss, samples) and writes its card. */
async function exportWithCard(
  model: LlamaModel,
  out: string,
  run: {
    readonly config: PretrainConfig;
    readonly state: TrainerState;
    readonly finished: boolean;
    readonly runDir: string;
    readonly tokenizerDir: string;
    readonly data: PretrainData;
    readonly backend: string;
  },
): Promise<void> {
  const numParameters = model.numParameters();
  const runLog = readPretrainLog(run.runDir);
  await exportModel(model, out, {
    tokenizerDir: run.tokenizerDir,
    tokens: run.data.tokens,
    extraFiles: pretrainStateFiles(model, run.config, run.state, runLog),
  });
  const loaded = await loadModel(out);
  const t = run.config.train;
  const heldOut = heldOutLoss(loaded.model, run.data.streams.heldOut, {
    seqLen: t.seqLen,
    windows: t.evalWindows,
    batchSize: t.batchSize,
  });
  const bitsPerByte = measureBitsPerByte(loaded.model, run.data.bitsPerByteText, t);
  log(
    `exported ${out}: held-out loss ${heldOut.loss.toFixed(4)} on ${heldOut.tokens} tokens, ` +
      `${bitsPerByte.bitsPerByte.toFixed(4)} bits per byte on ${bitsPerByte.bytes} bytes`,
  );
  const { samples, decoding } = cardSamples(loaded.model, loaded.generationConfig, run.data, t.seed);
  const rel = (p: string) => (p.startsWith(process.cwd()) ? p.slice(process.cwd().length + 1) || '.' : p);
  const runFlag = run.runDir === resolve(join(CACHE_DIR, 'run')) ? '' : ` --run-dir ${rel(run.runDir)}`;
  // v1 is the schema's defaults; later corpora have their config file in tooling/base-model/configs/.
  const configFlag = run.config.data.corpus === 'v1' ? '' : ` --config configs/${run.config.data.corpus}.json`;
  const cmd = 'pnpm --filter @meta-lora/base-model run pretrain --';
  const modelDir = `../../models/${basename(out)}`;
  const firstFlags = `${configFlag} --seed ${t.seed} --max-steps ${t.restarts[0]?.step ?? t.maxSteps}`;
  // A run continued from its committed weights is reproduced sitting by sitting: each stops where the next started.
  const sittingRestarts = run.state.optimizerRestarts ?? [];
  const stopBefore = (i: number) => {
    const next = sittingRestarts[i];
    return next === undefined ? '' : ` --stop-after-step ${next.step}`;
  };
  const card = modelCard({
    name: basename(out),
    config: run.config,
    numParameters,
    state: run.state,
    finished: run.finished,
    log: runLog,
    corpus: run.data.info,
    heldOut,
    bitsPerByte,
    samples,
    decoding,
    backend: run.backend,
    commands: {
      pretrain: [
        `${cmd} --out ${modelDir}${firstFlags}${runFlag}${stopBefore(0)}`,
        ...sittingRestarts.flatMap((r, i) => [
          `rm -rf tooling/base-model/${rel(run.runDir)}`,
          `${cmd} --out ${modelDir}${firstFlags}${runFlag} --init-from ${modelDir} --restart-warmup ${r.warmupSteps}${stopBefore(i + 1)}`,
        ]),
        ...t.restarts.map(
          (r, i) =>
            `${cmd} --out ${modelDir} --resume${runFlag} --extend-to ${t.restarts[i + 1]?.step ?? t.maxSteps} --restart-lr ${r.lr} --restart-warmup ${r.warmupSteps}`,
        ),
      ].join('\n'),
      resume: [
        '# continue on this machine: the run directory holds the AdamW moments',
        `${cmd} --out ${modelDir} --resume${runFlag} --max-minutes 120`,
        '# continue on a fresh clone, from the committed weights and pretrain-state.json (warm restart of AdamW)',
        `${cmd} --out ${modelDir}${configFlag} --init-from ${modelDir}${runFlag} --max-minutes 120`,
      ].join('\n'),
      eval: `pnpm --filter @meta-lora/base-model run eval -- --model ../../models/${basename(out)}${run.config.data.corpus === 'v1' ? '' : ` --corpus ${run.config.data.corpus}`} --seq-len ${t.seqLen} --windows ${t.evalWindows} --batch-size ${t.batchSize}`,
    },
  });
  writeFileAtomic(join(out, 'README.md'), card);
  log(`wrote the model card ${join(out, 'README.md')}`);
  loaded.model.dispose();
}

/**
 * The model card's samples, decoded with the settings the exported `generation_config.json` declares (so
 * `meta-lora generate` reproduces them): greedy ones with its repetition penalty, sampled ones with its temperature,
 * top-p and penalty.
 */
function cardSamples(
  model: LlamaModel,
  config: GenerationConfig | null,
  data: PretrainData,
  seed: number,
): { samples: ModelCardSample[]; decoding: ModelCardDecoding } {
  const { temperature, topP, repetitionPenalty } = config ?? {};
  if (temperature === undefined || topP === undefined || repetitionPenalty === undefined) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      'the exported generation_config.json lacks temperature, top_p or repetition_penalty',
      {
        field: 'generation_config.json',
        value: config,
        fix: 'exportModel writes all three; re-export the model',
      },
    );
  }
  const rng = Rng.fromSeed(seed).fork('samples');
  const samples: ModelCardSample[] = [];
  const decode = (ids: number[]) => data.tokenizer.decode(ids, { skipSpecialTokens: true });
  for (const prompt of SAMPLE_PROMPTS) {
    const ids = data.tokenizer.encode(prompt, { addSpecialTokens: true });
    samples.push({
      prompt,
      mode: `greedy (repetition penalty ${repetitionPenalty})`,
      completion: decode(generate(model, ids, { maxNewTokens: 40, greedy: true, repetitionPenalty })),
    });
  }
  const first = SAMPLE_PROMPTS[0] as string;
  const ids = data.tokenizer.encode(first, { addSpecialTokens: true });
  for (let i = 0; i < 2; i++) {
    const completion = decode(generate(model, ids, { maxNewTokens: 60, temperature, topP, repetitionPenalty, rng }));
    samples.push({
      prompt: first,
      mode: `sampled (temperature ${temperature}, top-p ${topP}, repetition penalty ${repetitionPenalty}, seed ${seed})`,
      completion,
    });
  }
  return { samples, decoding: { temperature, topP, repetitionPenalty } };
}
