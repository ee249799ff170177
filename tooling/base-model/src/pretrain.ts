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
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, Rng, writeFileAtomic } from '@meta-lora/artifacts';
import {
  causalLmLoss,
  clipByGlobalNorm,
  LlamaModel,
  Optimizer,
  parseModelConfig,
  randomWeights,
  valueAndGradients,
} from '@meta-lora/lora-core';
import { heldOutLoss } from './held-out-loss.ts';
import { learningRate } from './lr-schedule.ts';
import { loadPretrainCheckpoint, saveCheckpoint, type TrainerState } from './pretrain-checkpoint.ts';
import { extendedFrom, hfModelConfig, type PretrainConfig, pretrainConfigHash } from './pretrain-config.ts';
import type { TokenStreams } from './token-stream.ts';
import { randomWindows } from './windows.ts';

/** A progress line is printed at least this often (plain lines on stderr, so a log file or pipe shows them too). */
export const PROGRESS_SECONDS = 10;

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
  /** Stop cleanly, with a checkpoint, before this sitting would run longer than this. */
  readonly maxMinutes?: number;
  /** Stop cleanly, with a checkpoint, once this many steps are done (a sitting's end; the schedule is unchanged). */
  readonly stopAfterStep?: number;
  /** Progress lines; default stderr. */
  readonly log?: (line: string) => void;
}

/** One line of `log.jsonl`. */
export type PretrainLogLine =
  | {
      readonly type: 'train';
      readonly step: number;
      readonly loss: number;
      readonly lr: number;
      readonly gradNorm: number;
      readonly tokensSeen: number;
    }
  | { readonly type: 'eval'; readonly step: number; readonly heldOutLoss: number; readonly tokens: number };

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
    truncateLog(logPath, state.step);
    log(`resumed at step ${state.step}/${train.maxSteps} from ${checkpointDir}`);
  } else {
    if (existsSync(join(checkpointDir, 'trainer_state.json'))) {
      throw new MetaLoraError('CONFIG_INVALID', `${options.runDir} already holds a checkpoint`, {
        path: checkpointDir,
        fix: 'pass --resume to continue it, or choose another --run-dir',
      });
    }
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
    writeFileAtomic(join(options.runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeFileAtomic(logPath, '');
    log(`new run in ${options.runDir}: ${model.numParameters()} parameters, ${streams.train.length} train tokens`);
  }

  const variables = model.trainableVariables();
  const stepAtStart = state.step;
  // A fresh run is sitting 1; a resumed one adds a sitting once it trains a step.
  const sittings = options.resume ? state.sittings + 1 : 1;
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
    await saveCheckpoint(checkpointDir, model, optimizer.state(), state);
  };
  const evaluate = () => {
    const { loss, tokens } = heldOutLoss(model, streams.heldOut, {
      seqLen: train.seqLen,
      windows: train.evalWindows,
      batchSize: train.batchSize,
    });
    appendLine(logPath, { type: 'eval', step: state.step, heldOutLoss: loss, tokens });
    log(`step ${state.step}: held-out loss ${loss.toFixed(4)} on ${tokens} tokens`);
  };

  while (state.step < stopAt) {
    const elapsedMs = performance.now() - sittingStart;
    if (elapsedMs + 2 * slowestStepMs > budgetMs) {
      log(`stopping at step ${state.step}: the ${options.maxMinutes}-minute budget of this sitting is spent`);
      break;
    }
    const stepStart = performance.now();
    const lr = learningRate(state.step, train);
    const batch = randomWindows(streams.train, train.batchSize, train.seqLen + 1, rng);
    const { loss, grads } = valueAndGradients(() => causalLmLoss(model, batch), variables);
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
    appendLine(logPath, {
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
  if (state.step > stepAtStart || !options.resume) {
    await checkpoint();
    log(`checkpoint at step ${state.step} in ${checkpointDir}`);
  }
  optimizer.dispose();
  return { model, state, finished: state.step >= train.maxSteps };
}

/**
 * The lines of a run's `log.jsonl`.
 *
 * @example
 * const losses = readPretrainLog('.cache/run').filter((l) => l.type === 'train').map((l) => l.loss);
 */
export function readPretrainLog(runDir: string): PretrainLogLine[] {
  const path = join(runDir, 'log.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as PretrainLogLine);
}

function appendLine(path: string, line: PretrainLogLine): void {
  appendFileSync(path, `${JSON.stringify(line)}\n`);
}

/** Drops log lines after the checkpoint's step: a resumed run writes them again. */
function truncateLog(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0 && (JSON.parse(l) as PretrainLogLine).step <= step);
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
