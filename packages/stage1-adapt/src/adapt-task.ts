/**
 * Stage 1 of MeTA-LoRA (arXiv 2510.11598, §3, "task-specific adaptation"): θᵢ ← θ, then `innerSteps` optimizer steps
 * of θᵢ on minibatches of task i's support set, loss on target tokens only. The shared θ is never touched.
 *
 * Minibatches: a support set no larger than `innerBatchSize` is used whole every step; a larger one is walked in
 * `innerBatchSize` chunks of a seeded shuffle, reshuffled at each pass (the `rng` drives this and LoRA dropout).
 */
import type { Rng } from '@meta-lora/artifacts';
import {
  type IdExample,
  idExampleBatch,
  type LlamaModel,
  type LoraAdapter,
  Optimizer,
  tf,
  trainStep,
} from '@meta-lora/lora-core';
import type { AdaptConfig } from './config.ts';

export interface AdaptResult {
  /** θᵢ: a fresh adapter the caller owns (and disposes). */
  readonly adapter: LoraAdapter;
  /** The support loss before each inner step (length `innerSteps`). */
  readonly supportLosses: number[];
}

/**
 * The example indices of each inner step.
 *
 * @example
 * innerMinibatches(3, 8, 2, rng); // [[0, 1, 2], [0, 1, 2]]
 */
export function innerMinibatches(n: number, batchSize: number, steps: number, rng: Rng): number[][] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= batchSize) return Array.from({ length: steps }, () => all);
  const out: number[][] = [];
  let order: number[] = [];
  while (out.length < steps) {
    if (order.length < batchSize) order = [...order, ...rng.shuffle(all)];
    out.push(order.slice(0, batchSize));
    order = order.slice(batchSize);
  }
  return out;
}

/**
 * Adapts a clone of `shared` to one task: `innerSteps` steps of `innerOptimizer` at `innerLr` on `support`.
 *
 * @example
 * const { adapter, supportLosses } = adaptTask(model, shared, support, parseAdaptConfig({}), rng.fork('sentiment:0'));
 * adapter.dispose();
 */
export function adaptTask(
  model: LlamaModel,
  shared: LoraAdapter,
  support: readonly IdExample[],
  config: AdaptConfig,
  rng: Rng,
  name = `${shared.name}/task`,
): AdaptResult {
  const adapter = shared.clone(name);
  const optimizer = new Optimizer({ type: config.innerOptimizer, lr: config.innerLr, weightDecay: 0 });
  const supportLosses: number[] = [];
  try {
    for (const indices of innerMinibatches(support.length, config.innerBatchSize, config.innerSteps, rng)) {
      const batch = idExampleBatch(
        indices.map((i) => support[i] as IdExample),
        { maxSeqLen: config.maxSeqLen, padTokenId: 0 },
      );
      // In a tidy: Optimizer's first `apply` leaves the zerosLike tensors its slot variables were made from.
      tf.tidy(() => {
        const { loss } = trainStep(model, adapter, batch, optimizer, {
          rng,
          ...(config.clipGradNorm === null ? {} : { clipGradNorm: config.clipGradNorm }),
        });
        supportLosses.push(loss);
      });
    }
  } catch (error) {
    adapter.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  return { adapter, supportLosses };
}
