/**
 * The one supervised LoRA training loop: stage-1 adaptation (a few steps on a support set) and every baseline (single-
 * and multi-task LoRA) run through `trainAdapter`. Loss on target tokens only; minibatches from `innerMinibatches`.
 *
 * With `dev`, the loop follows the protocol of `docs/protocol.md`: it scores the dev set before the first step and every
 * `dev.evalEvery` steps (and after the last), keeps a copy of the adapter at the lowest dev loss, stops once
 * `dev.patience` evaluations in a row brought no improvement (0: never), and leaves the adapter holding the best
 * copy. Step 0 (the untrained adapter) is a candidate too, so a run that only hurts on dev returns its start.
 */
import type { Rng } from '@meta-lora/artifacts';
import {
  type IdExample,
  idExampleBatch,
  type LlamaModel,
  type LoraAdapter,
  Optimizer,
  type OptimizerConfig,
  tf,
  trainStep,
} from '@meta-lora/lora-core';
import { innerMinibatches } from './minibatches.ts';
import { countTokens, targetLoss } from './target-loss.ts';

/** One dev set: its loss is the mean target-token loss of its examples. The run's dev loss is the mean over sets. */
export interface DevSet {
  readonly name: string;
  readonly examples: readonly IdExample[];
}

export interface DevSelection {
  /** Scored with equal weight each (one per task for multi-task runs). */
  readonly sets: readonly DevSet[];
  /** Steps between dev evaluations (≥ 1). */
  readonly evalEvery: number;
  /** Stop after this many evaluations without a new best; 0 never stops early. */
  readonly patience: number;
  /** Examples per forward pass when scoring. */
  readonly batchSize: number;
}

export interface TrainAdapterOptions {
  readonly optimizer: OptimizerConfig['type'];
  readonly lr: number;
  /** The step budget. */
  readonly steps: number;
  readonly batchSize: number;
  readonly maxSeqLen: number;
  /** Global gradient-norm clip per step; null: none. */
  readonly clipGradNorm: number | null;
  /** Dev selection (checkpoint on the best dev loss, early stopping); without it every step is kept. */
  readonly dev?: DevSelection;
  /** Called after every optimizer step with the step count and its training loss. */
  readonly onStep?: (step: number, loss: number) => void;
}

export interface DevPoint {
  /** Optimizer steps taken when the dev set was scored (0: before training). */
  readonly step: number;
  readonly loss: number;
}

export interface TrainAdapterResult {
  /** Training loss of each step taken. */
  readonly losses: number[];
  /** Dev losses in step order (empty without `dev`). */
  readonly devCurve: DevPoint[];
  /** The step whose adapter the caller now holds: the best dev step, or the last step without `dev`. */
  readonly bestStep: number;
  /** Dev loss at `bestStep` (null without `dev`). */
  readonly bestDevLoss: number | null;
  readonly stoppedEarly: boolean;
  /** Distinct training examples in the minibatches up to `bestStep`. */
  readonly examplesTrained: number;
  /** Their prompt + target tokens (after truncation), each counted once. */
  readonly tokensTrained: number;
}

/**
 * Trains `adapter` in place on `examples`.
 *
 * @example
 * const { bestStep, devCurve } = trainAdapter(model, adapter, train, { optimizer: 'adam', lr: 1e-3, steps: 500,
 *   batchSize: 8, maxSeqLen: 160, clipGradNorm: 1, dev: { sets, evalEvery: 25, patience: 5, batchSize: 16 } }, rng);
 */
export function trainAdapter(
  model: LlamaModel,
  adapter: LoraAdapter,
  examples: readonly IdExample[],
  options: TrainAdapterOptions,
  rng: Rng,
): TrainAdapterResult {
  const { dev } = options;
  const optimizer = new Optimizer({ type: options.optimizer, lr: options.lr, weightDecay: 0 });
  const losses: number[] = [];
  const devCurve: DevPoint[] = [];
  const seenAt: number[] = new Array(examples.length).fill(Number.POSITIVE_INFINITY); // first step that used example i
  let best: { step: number; loss: number; values: Map<string, Float32Array> | null } | null = null;
  let stale = 0;
  let stoppedEarly = false;
  const score = (step: number): void => {
    if (!dev) return;
    const loss = devLoss(model, adapter, dev, options.maxSeqLen);
    devCurve.push({ step, loss });
    if (best === null || loss < best.loss) {
      best = { step, loss, values: adapterValues(adapter) };
      stale = 0;
    } else {
      stale++;
      stoppedEarly = dev.patience > 0 && stale >= dev.patience;
    }
  };
  try {
    score(0);
    const batches = innerMinibatches(examples.length, options.batchSize, options.steps, rng);
    for (const [s, indices] of batches.entries()) {
      if (stoppedEarly) break;
      for (const i of indices) seenAt[i] = Math.min(seenAt[i] as number, s + 1);
      const batch = idExampleBatch(
        indices.map((i) => examples[i] as IdExample),
        { maxSeqLen: options.maxSeqLen, padTokenId: 0 },
      );
      const { loss } = trainStep(model, adapter, batch, optimizer, {
        rng,
        ...(options.clipGradNorm === null ? {} : { clipGradNorm: options.clipGradNorm }),
      });
      losses.push(loss);
      options.onStep?.(s + 1, losses[s] as number);
      const step = s + 1;
      if (dev && (step % dev.evalEvery === 0 || step === batches.length)) score(step);
    }
  } finally {
    optimizer.dispose();
  }
  const chosen = best as { step: number; loss: number; values: Map<string, Float32Array> | null } | null;
  // In a tidy: setFromArrays leaves the tensors it assigns from.
  if (chosen?.values && chosen.step !== losses.length) tf.tidy(() => adapter.setFromArrays(chosen.values!));
  const bestStep = chosen ? chosen.step : losses.length;
  const trained = examples.filter((_, i) => (seenAt[i] as number) <= bestStep);
  return {
    losses,
    devCurve,
    bestStep,
    bestDevLoss: chosen ? chosen.loss : null,
    stoppedEarly,
    examplesTrained: trained.length,
    tokensTrained: trained.length === 0 ? 0 : countTokens(trained, options.maxSeqLen),
  };
}

/**
 * The dev loss of `adapter`: the mean over dev sets of each set's mean target-token loss (no dropout, no gradients).
 *
 * @example
 * devLoss(model, adapter, { sets: [{ name: 'sentiment', examples }], evalEvery: 10, patience: 0, batchSize: 16 }, 160);
 */
export function devLoss(model: LlamaModel, adapter: LoraAdapter, dev: DevSelection, maxSeqLen: number): number {
  let sum = 0;
  for (const set of dev.sets) {
    sum += targetLoss(model, [adapter], set.examples, { maxSeqLen, batchSize: dev.batchSize }).loss;
  }
  return sum / dev.sets.length;
}

/**
 * A copy of the adapter's factor values keyed like `namedTensors()` (copies: `dataSync` may hand out the backend's own
 * buffer, which must not be moved or kept).
 *
 * @example
 * const values = adapterValues(adapter); // later: adapter.setFromArrays(values)
 */
export function adapterValues(adapter: LoraAdapter): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [key, t] of adapter.namedTensors()) out.set(key, Float32Array.from(t.dataSync() as Float32Array));
  return out;
}
