/**
 * Stage 2's update of the shared adapter θ from one iteration's adapted tasks: aggregate their vectors (first-order
 * MAML: the mean query gradient; Reptile: the mean weight delta), clip, one meta-optimizer step; and the iteration's
 * metrics from the task rows.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { LoraAdapter, Optimizer } from '@meta-lora/lora-core';
import { type AdaptedUpdate, flattenAdapter, type TaskUpdateRow, unflattenAdapter } from '@meta-lora/stage1-adapt';
import { aggregationWeights, combineTaskVectors, meanPairwiseCosine, taskVectors } from './aggregate.ts';
import type { MetaConfig } from './config.ts';
import type { IterationMetrics } from './diagnostics.ts';

/** What the meta-update measured besides the losses. */
export interface MetaUpdate {
  /** Global norm of the aggregated meta-gradient, before clipping. */
  readonly metaGradNorm: number;
  /** Mean pairwise cosine of the task vectors (null with one task). */
  readonly taskCosine: number | null;
}

/**
 * The meta-update of `shared` from the adapted parts of the iteration's rows (it needs no `queryLossBefore`, so it can
 * run while those are still being computed): aggregate, clip, one optimizer step.
 *
 * @example
 * const { metaGradNorm } = metaUpdate(shared, optimizer, updates, config);
 */
export function metaUpdate(
  shared: LoraAdapter,
  optimizer: Optimizer,
  updates: readonly AdaptedUpdate[],
  config: MetaConfig,
): MetaUpdate {
  const theta = flattenAdapter(shared);
  const vectors = taskVectors(updates, theta, config.algorithm);
  const g = combineTaskVectors(vectors, aggregationWeights(updates, config.aggregation), config.algorithm);
  let sq = 0;
  for (let j = 0; j < g.length; j++) sq += (g[j] as number) * (g[j] as number);
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm)) {
    throw new MetaLoraError('NOT_FINITE', `the meta-gradient norm is ${norm}`, {
      value: norm,
      fix: 'lower metaLr or innerLr, or set metaClipGradNorm',
    });
  }
  const clip = config.metaClipGradNorm;
  if (clip !== null && norm > clip) {
    const scale = clip / (norm + 1e-6);
    for (let j = 0; j < g.length; j++) g[j] = (g[j] as number) * scale;
  }
  const grads = unflattenAdapter(g, shared);
  optimizer.apply(shared.variables(), grads);
  for (const t of grads) t.dispose();
  return { metaGradNorm: norm, taskCosine: meanPairwiseCosine(vectors) };
}

/** One iteration's metrics: mean query losses before and after adaptation, per-task rows, and the update's. */
export function iterationMetrics(
  rows: readonly TaskUpdateRow[],
  iteration: number,
  update: MetaUpdate,
): IterationMetrics {
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const before = mean(rows.map((r) => r.queryLossBefore));
  const after = mean(rows.map((r) => r.queryLossAfter));
  return {
    iteration,
    queryLossBefore: before,
    queryLossAfter: after,
    adaptationGain: before - after,
    taskCosine: update.taskCosine,
    metaGradNorm: update.metaGradNorm,
    tasks: rows.map((r) => ({
      taskSlot: r.taskSlot,
      taskId: r.taskId,
      queryLossBefore: r.queryLossBefore,
      queryLossAfter: r.queryLossAfter,
      supportLosses: r.supportLosses,
      queryTargetTokens: r.queryTargetTokens,
    })),
  };
}
