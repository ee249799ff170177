/**
 * Stage 2 of MeTA-LoRA (arXiv 2510.11598, §3, "meta-knowledge update"): the task rows of one meta-iteration become one
 * meta-gradient for the shared adapter θ.
 *
 *   fomaml   g = Σᵢ wᵢ ∇L_query,i(θᵢ)        (first-order MAML: the query gradient at θᵢ stands for the one at θ)
 *   reptile  g = Σᵢ wᵢ (θ − θᵢ)              (with SGD, θ ← θ − β g = θ + β Σᵢ wᵢ (θᵢ − θ))
 *
 * Weights: `mean` wᵢ = 1/n, `sum` wᵢ = 1, `tokens` wᵢ = (query target tokens of i) / (all query target tokens).
 * Sums run in float64 in task-slot order, so the result does not depend on which thread computed which row.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { AdaptedUpdate } from '@meta-lora/stage1-adapt';
import type { MetaConfig } from './config.ts';

/**
 * The aggregation weight of each row.
 *
 * @example
 * aggregationWeights(rows, 'tokens'); // [0.4, 0.6]
 */
export function aggregationWeights(rows: readonly AdaptedUpdate[], aggregation: MetaConfig['aggregation']): number[] {
  if (aggregation === 'sum') return rows.map(() => 1);
  if (aggregation === 'mean') return rows.map(() => 1 / rows.length);
  const total = rows.reduce((s, r) => s + r.queryTargetTokens, 0);
  return rows.map((r) => r.queryTargetTokens / total);
}

/** A task vector: a row's query gradient as handed over (fomaml), or θᵢ − θ in float64 (reptile). */
export type TaskVector = Float32Array | Float64Array;

/**
 * Each row's task vector: the query gradient (fomaml; the row's own values, not copied) or θᵢ − θ (reptile, float64).
 *
 * @example
 * const vectors = taskVectors(rows, flattenAdapter(shared), 'reptile');
 */
export function taskVectors(
  rows: readonly AdaptedUpdate[],
  shared: Float32Array,
  algorithm: MetaConfig['algorithm'],
): TaskVector[] {
  return rows.map((row) => {
    if (row.values.length !== shared.length) {
      throw new MetaLoraError(
        'SHAPE_MISMATCH',
        `task \`${row.taskId}\` handed over ${row.values.length} values for an adapter of ${shared.length} parameters`,
        { field: 'values', fix: 'run stage 1 with the same LoRA config as stage 2' },
      );
    }
    if (algorithm !== 'reptile') return row.values;
    const v = new Float64Array(shared.length);
    for (let j = 0; j < v.length; j++) v[j] = (row.values[j] as number) - (shared[j] as number);
    return v;
  });
}

/**
 * The meta-gradient g (flat, float32) from the rows of one iteration.
 *
 * @example
 * const g = metaGradient(rows, flattenAdapter(shared), 'fomaml', 'mean');
 */
export function metaGradient(
  rows: readonly AdaptedUpdate[],
  shared: Float32Array,
  algorithm: MetaConfig['algorithm'],
  aggregation: MetaConfig['aggregation'],
): Float32Array {
  return combineTaskVectors(taskVectors(rows, shared, algorithm), aggregationWeights(rows, aggregation), algorithm);
}

/**
 * The meta-gradient from task vectors already taken (`taskVectors`) and their weights (`aggregationWeights`): what
 * `metaGradient` computes, for a caller that also needs the vectors (the task-cosine diagnostic).
 *
 * @example
 * const vectors = taskVectors(rows, theta, 'fomaml');
 * const g = combineTaskVectors(vectors, aggregationWeights(rows, 'mean'), 'fomaml');
 */
export function combineTaskVectors(
  vectors: readonly TaskVector[],
  weights: readonly number[],
  algorithm: MetaConfig['algorithm'],
): Float32Array {
  const sign = algorithm === 'reptile' ? -1 : 1; // reptile's step direction is θᵢ − θ, its "gradient" θ − θᵢ
  const acc = new Float64Array(vectors[0]?.length ?? 0);
  for (const [i, v] of vectors.entries()) addScaled(acc, v, (weights[i] as number) * sign);
  return Float32Array.from(acc);
}

/** acc += w·v, element by element in float64. */
function addScaled(acc: Float64Array, v: TaskVector, w: number): void {
  for (let j = 0; j < acc.length; j++) acc[j] = (acc[j] as number) + w * (v[j] as number);
}

/** Σⱼ a[j]·b[j] in float64, over four interleaved partial sums (independent adds run in parallel: 1.5× faster). */
function dot(a: TaskVector, b: TaskVector): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = a.length - (a.length % 4);
  let j = 0;
  for (; j < end; j += 4) {
    s0 += (a[j] as number) * (b[j] as number);
    s1 += (a[j + 1] as number) * (b[j + 1] as number);
    s2 += (a[j + 2] as number) * (b[j + 2] as number);
    s3 += (a[j + 3] as number) * (b[j + 3] as number);
  }
  for (; j < a.length; j++) s0 += (a[j] as number) * (b[j] as number);
  return s0 + s1 + (s2 + s3);
}

/**
 * The mean pairwise cosine similarity of the task vectors (null with fewer than two tasks). Near 1: the tasks pull θ
 * the same way; near 0 or negative: they conflict.
 *
 * @example
 * meanPairwiseCosine([Float64Array.of(1, 0), Float64Array.of(1, 1)]); // 0.7071…
 */
export function meanPairwiseCosine(vectors: readonly TaskVector[]): number | null {
  if (vectors.length < 2) return null;
  const norms = vectors.map((v) => Math.sqrt(dot(v, v)));
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < vectors.length; a++) {
    for (let b = a + 1; b < vectors.length; b++) {
      const denom = (norms[a] as number) * (norms[b] as number);
      sum += denom === 0 ? 0 : dot(vectors[a] as TaskVector, vectors[b] as TaskVector) / denom;
      pairs++;
    }
  }
  return sum / pairs;
}
