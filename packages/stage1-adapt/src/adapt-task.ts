/**
 * Stage 1 of MeTA-LoRA (arXiv 2510.11598, §3, "task-specific adaptation"): θᵢ ← θ, then `innerSteps` optimizer steps
 * of θᵢ on minibatches of task i's support set, loss on target tokens only. The shared θ is never touched.
 *
 * Minibatches: a support set no larger than `innerBatchSize` is used whole every step; a larger one is walked in
 * `innerBatchSize` chunks of a seeded shuffle, reshuffled at each pass (the `rng` drives this and LoRA dropout).
 */
import type { Rng } from '@meta-lora/artifacts';
import type { IdExample, LlamaModel, LoraAdapter } from '@meta-lora/lora-core';
import type { AdaptConfig } from './config.ts';
import { trainAdapter } from './train-adapter.ts';

export interface AdaptResult {
  /** θᵢ: a fresh adapter the caller owns (and disposes). */
  readonly adapter: LoraAdapter;
  /**
   * The training loss of each inner step's minibatch, before that step (length `innerSteps`). When the support set is
   * larger than `innerBatchSize` the minibatches differ, so entries are not comparable with each other, and the loss
   * after the last step is not among them: for before/after, score the whole support set with `targetLoss` (the
   * pipeline's `adapt/adaptation.arrow` does).
   */
  readonly supportLosses: number[];
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
  try {
    const { losses } = trainAdapter(
      model,
      adapter,
      support,
      {
        optimizer: config.innerOptimizer,
        lr: config.innerLr,
        steps: config.innerSteps,
        batchSize: config.innerBatchSize,
        maxSeqLen: config.maxSeqLen,
        clipGradNorm: config.clipGradNorm,
      },
      rng,
    );
    return { adapter, supportLosses: losses };
  } catch (error) {
    adapter.dispose();
    throw error;
  }
}
