/**
 * Full-weight pretraining with the lora-core engine: every base weight is a variable (`LlamaModel.fromTensors(…,
 * { trainable: true })`), each step draws `batchSize` random windows from the train stream, takes the causal-LM loss
 * and its gradients (`valueAndGradients`), clips them by global norm and applies AdamW at the scheduled rate
 * (warmup + cosine, `learningRate`).
 *
 * The run lives in `runDir`: `config.json` (the resolved config), `log.jsonl` (one line per step, plus evaluations) and
 * `checkpoint/` (`pretrain-checkpoint.ts`), written every `checkpointEvery` steps and when the run stops. A progress
 * line (step, loss, lr, grad norm, tokens/s, ETA) goes to the log every `logEvery` steps and at least every
 * `PROGRESS_SECONDS`. A run stops
 * at `maxSteps`, at `stopAfterStep`, or when the `maxMinutes` of this sitting would be exceeded by one more step;
 * `resume` continues from the checkpoint bit-identically.
 *
 * `initFrom` starts a sitting from an exported model directory instead (a fresh clone has no run directory): the
 * committed weights, step, schedule position and window sampler (`pretrain-state.ts`), with fresh AdamW moments and the
 * rate ramped back to the schedule over `restartWarmup` steps. `dataParallel` takes each step's loss and gradients on
 * worker threads (`data-parallel.ts`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, Rng, withRunLock, writeFileAtomic } from '@meta-lora/artifacts';
import {
  causalLmLoss,
  clipByGlobalNorm,
  LlamaModel,
  Optimizer,
  parseModelConfig,
  randomWeights,
  valueAndGradients,
} from '@meta-lora/lora-core';
import { DataParallel } from './data-parallel.ts';
import { heldOutLoss } from './held-out-loss.ts';
import { rampedLearningRate } from './lr-schedule.ts';
import { loadPretrainCheckpoint, savePretrainCheckpoint, type TrainerState } from './pretrain-checkpoint.ts';
import { extendedFrom, hfModelConfig, type PretrainConfig, pretrainConfigHash } from './pretrain-config.ts';
import { appendPretrainLog, truncatePretrainLog } from './pretrain-log.ts';
import { readCommittedRun } from './pretrain-state.ts';
import type { TokenStreams } from './token-stream.ts';
import { randomWindows } from './windows.ts';

/** A progress line is printed at least this often (plain lines on stderr, so a log file or pipe shows them too). */
export const PROGRESS_SECONDS = 10;

/** Steps of the rate's ramp after a warm restart of AdamW from a model directory (`initFrom`), by default. */
export const DEFAULT_RESTART_WARMUP = 50;

/** Special token ids written into config.json. */
export interface SpecialTokenIds {
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
}

export interface PretrainOptions {
  readonly runDir: string;
  readonly tokens: SpecialTokenIds;
  /** Continue from `runDir/checkpoint` (its config must equal `config`). */
  readonly resume?: boolean;
  /**
   * Start this sitting from an exported model directory (`model.safetensors` and `pretrain-state.json`, whose config
   * must equal `config`) into an empty `runDir`: a warm restart of AdamW at the committed step.
   */
  readonly initFrom?: string;
  /** Steps of the rate's ramp after `initFrom` (default `DEFAULT_RESTART_WARMUP`). */
  readonly restartWarmup?: number;
  /** Worker threads that take each step's loss and gradients on shares of the batch; absent or 0: this thread. */
  readonly dataParallel?: number;
  /** Stop cleanly, with a checkpoint, before this sitting would run longer than this. */
  readonly maxMinutes?: number;
  /** Stop cleanly, with a checkpoint, once this many steps are done (a sitting's end; the schedule is unchanged). */
  readonly stopAfterStep?: number;
  /** Progress lines; default stderr. */
  readonly log?: (line: string) => void;
  /** Called after each step with the state it reached (benchmarks: `throughput.ts`). */
  readonly onStep?: (state: TrainerState) => void;
}

export interface PretrainResult {
  /** The trained model (trainable variables); the caller disposes it. */
  readonly model: LlamaModel;
  readonly state: TrainerState;
  /** True when `maxSteps` were reached. */
  readonly finished: boolean;
}

/**
 * Runs (or resumes) pretraining until it finishes or is told to stop.
 *
 * @example
 * const { model, state } = await pretrain(parsePretrainConfig({}), streams, { runDir: '.cache/run', tokens });
 */
export async function pretrain(
  config: PretrainConfig,
  streams: TokenStreams,
  options: PretrainOptions,
): Promise<PretrainResult> {
  return withRunLock(options.runDir, 'pretrain', () => pretrainLocked(config, streams, options));
}

async function pretrainLocked(
  config: PretrainConfig,
  streams: TokenStreams,
  options: PretrainOptions,
): Promise<PretrainResult> {
  if (options.resume && options.initFrom !== undefined) {
    throw new MetaLoraError('CONFIG_INVALID', 'resume and initFrom both name where the run continues from', {
      field: '--init-from',
      value: options.initFrom,
      fix: '--resume continues the run directory (with its AdamW moments); --init-from starts from a committed model directory. Pass one',
    });
  }
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { train } = config;
  const hash = pretrainConfigHash(config);
  const hfConfig = hfModelConfig(config.model, options.tokens);
  const modelConfig = parseModelConfig(hfConfig, 'pretrain config');
  const checkpointDir = join(options.runDir, 'checkpoint');
  const logPath = join(options.runDir, 'log.jsonl');

  let model: LlamaModel;
  let rng: Rng;
  let state: TrainerState;
  const optimizer = new Optimizer({
    type: 'adamw',
    lr: train.lr,
    weightDecay: train.weightDecay,
    beta1: train.beta1,
    beta2: train.beta2,
  });
  if (options.resume) {
    const probe = LlamaModel.fromTensors(modelConfig, randomWeights(modelConfig, Rng.fromSeed(0)), 'probe');
    const names = [...probe.namedWeights().keys()];
    probe.dispose();
    const ckpt = loadPretrainCheckpoint(checkpointDir, names);
    const previous = extendedFrom(config);
    const extended = previous !== undefined && ckpt.state.configHash === pretrainConfigHash(previous);
    if (ckpt.state.configHash !== hash && !extended) {
      throw new MetaLoraError(
        'CHECKPOINT_INVALID',
        `the checkpoint in ${checkpointDir} was written with config ${ckpt.state.configHash}, this run's is ${hash}`,
        {
          path: join(options.runDir, 'config.json'),
          fix: 'resume with the same config (omit overriding flags; the run directory holds config.json)',
        },
      );
    }
    model = LlamaModel.fromTensors(modelConfig, ckpt.tensors, checkpointDir, { trainable: true });
    optimizer.loadState(ckpt.optimizer, model.trainableVariables());
    rng = Rng.fromState(ckpt.state.rng);
    state = { ...ckpt.state, configHash: hash };
    truncatePretrainLog(logPath, state.step);
    log(`resumed at step ${state.step}/${train.maxSteps} from ${checkpointDir}`);
  } else {
    if (existsSync(join(checkpointDir, 'trainer_state.json'))) {
      throw new MetaLoraError('CONFIG_INVALID', `${options.runDir} already holds a checkpoint`, {
        path: checkpointDir,
        fix:
          options.initFrom === undefined
            ? 'pass --resume to continue it, or choose another --run-dir'
            : 'pass --resume (without --init-from) to continue it with its AdamW moments, or choose another --run-dir to start from the model directory',
      });
    }
    if (options.initFrom !== undefined) {
      const committed = readCommittedRun(options.initFrom, config);
      const warmupSteps = options.restartWarmup ?? DEFAULT_RESTART_WARMUP;
      model = LlamaModel.fromTensors(modelConfig, committed.tensors, options.initFrom, { trainable: true });
      rng = Rng.fromState(committed.state.rng);
      const restarts = [...(committed.state.optimizerRestarts ?? []), { step: committed.state.step, warmupSteps }];
      state = { ...committed.state, optimizerStep: 0, optimizerRestarts: restarts };
      writeFileAtomic(logPath, committed.log.map((l) => `${JSON.stringify(l)}\n`).join(''));
      log(
        `started at step ${state.step}/${train.maxSteps} from ${options.initFrom}: fresh AdamW moments, the rate ` +
          `ramped over ${warmupSteps} steps back to the schedule`,
      );
    } else {
      const seed = Rng.fromSeed(train.seed);
      const weights = randomWeights(modelConfig, seed.fork('init'), { std: config.model.initializerRange });
      model = LlamaModel.fromTensors(modelConfig, weights, 'random init', { trainable: true });
      rng = seed.fork('windows');
      state = {
        step: 0,
        rng: rng.state(),
        optimizerStep: 0,
        tokensSeen: 0,
        trainSeconds: 0,
        wallSeconds: 0,
        sittings: 1,
        configHash: hash,
      };
      writeFileAtomic(logPath, '');
      log(`new run in ${options.runDir}: ${model.numParameters()} parameters, ${streams.train.length} train tokens`);
    }
    writeFileAtomic(join(options.runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  }

  const variables = model.trainableVariables();
  const stepAtStart = state.step;
  // A fresh run is sitting 1; a resumed one, or one started from a model directory, adds a sitting.
  const continued = options.resume === true || options.initFrom !== undefined;
  const sittings = continued ? state.sittings + 1 : 1;
  const sittingStart = performance.now();
  const wallAtStart = state.wallSeconds;
  const budgetMs = options.maxMinutes === undefined ? Number.POSITIVE_INFINITY : options.maxMinutes * 60_000;
  const stopAt = Math.min(train.maxSteps, options.stopAfterStep ?? Number.POSITIVE_INFINITY);
  let windowStart = performance.now();
  let windowTokens = 0;
  let slowestStepMs = 0;
  const checkpoint = async () => {
    state = {
      ...state,
      rng: rng.state(),
      optimizerStep: optimizer.step,
      sittings,
      wallSeconds: wallAtStart + (performance.now() - sittingStart) / 1000,
    };
    await savePretrainCheckpoint(checkpointDir, model, optimizer.state(), state);
  };
  const evaluate = () => {
    const { loss, tokens } = heldOutLoss(model, streams.heldOut, {
      seqLen: train.seqLen,
      windows: train.evalWindows,
      batchSize: train.batchSize,
    });
    appendPretrainLog(logPath, { type: 'eval', step: state.step, heldOutLoss: loss, tokens });
    log(`step ${state.step}: held-out loss ${loss.toFixed(4)} on ${tokens} tokens`);
  };

  const workers = options.dataParallel ?? 0;
  const parallel = workers > 0 ? await DataParallel.start(model, hfConfig, workers) : null;
  if (parallel) log(`data-parallel: ${workers} worker threads, each with a copy of the model and 1 OpenBLAS thread`);
  try {
    while (state.step < stopAt) {
      const elapsedMs = performance.now() - sittingStart;
      if (elapsedMs + 2 * slowestStepMs > budgetMs) {
        log(`stopping at step ${state.step}: the ${options.maxMinutes}-minute budget of this sitting is spent`);
        break;
      }
      const stepStart = performance.now();
      const lr = rampedLearningRate(state.step, train, state.optimizerRestarts);
      const batch = randomWindows(streams.train, train.batchSize, train.seqLen + 1, rng);
      const { loss, grads } = parallel
        ? await parallel.valueAndGradients(batch)
        : valueAndGradients(() => causalLmLoss(model, batch), variables);
      const clipped = clipByGlobalNorm(grads, train.clipGradNorm);
      optimizer.apply(variables, clipped.grads, lr);
      for (const g of clipped.grads) g.dispose();
      const stepMs = performance.now() - stepStart;
      slowestStepMs = Math.max(slowestStepMs * 0.99, stepMs);
      const tokens = train.batchSize * train.seqLen;
      state = {
        ...state,
        step: state.step + 1,
        tokensSeen: state.tokensSeen + tokens,
        trainSeconds: state.trainSeconds + stepMs / 1000,
      };
      windowTokens += tokens;
      options.onStep?.(state);
      appendPretrainLog(logPath, {
        type: 'train',
        step: state.step,
        loss,
        lr,
        gradNorm: clipped.norm,
        tokensSeen: state.tokensSeen,
      });
      const now = performance.now();
      if (state.step % train.logEvery === 0 || state.step === 1 || now - windowStart >= PROGRESS_SECONDS * 1000) {
        const tokPerS = windowTokens / ((now - windowStart) / 1000);
        const stepsLeft = train.maxSteps - state.step;
        const etaS = (stepsLeft * tokens) / tokPerS;
        const budgetLeftS = (budgetMs - (now - sittingStart)) / 1000;
        log(
          `step ${state.step}/${train.maxSteps} loss ${loss.toFixed(4)} lr ${lr.toExponential(2)} ` +
            `gnorm ${clipped.norm.toFixed(2)} | ${tokPerS.toFixed(0)} tok/s | ETA ${duration(etaS)}` +
            (Number.isFinite(budgetLeftS) ? ` (sitting budget left ${duration(budgetLeftS)})` : ''),
        );
        windowStart = now;
        windowTokens = 0;
      }
      if (state.step % train.evalEvery === 0 || state.step === train.maxSteps) evaluate();
      if (state.step % train.checkpointEvery === 0) await checkpoint();
    }
  } finally {
    await parallel?.close();
  }
  if (state.step > stepAtStart || !options.resume) {
    await checkpoint();
    log(`checkpoint at step ${state.step} in ${checkpointDir}`);
  }
  optimizer.dispose();
  return { model, state, finished: state.step >= train.maxSteps };
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
