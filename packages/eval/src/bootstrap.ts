/**
 * Paired bootstrap confidence interval for the difference of two methods' macro-averaged scores (Efron & Tibshirani
 * 1993, §13.3 percentile interval; the paired resampling of test examples is Koehn 2004, "Statistical significance
 * tests for machine translation evaluation").
 *
 * The units resampled are test examples, within each task, with replacement: replicate r draws n_t indices for task t
 * and applies the *same* indices to both methods and to every seed (they all scored the same examples), so the
 * interval reflects the test-set noise of the difference, not of each score alone. Per replicate, each method's value
 * is the macro-average over tasks of its task score, averaged over its seeds:
 *
 *   mean   tasks (accuracy, exact match): the mean of the resampled 0/100 example scores;
 *   chrF   tasks (translation): corpus chrF of the summed resampled chrF statistics (not a mean of sentence scores).
 *
 * The interval is the (1 − level)/2 and (1 + level)/2 quantiles (linear interpolation, numpy's default) of the
 * replicate differences. The resampled indices come from `Resamples`: task t draws from `rng.fork(taskId)`, once, and
 * every comparison made with the same `Resamples` reuses them, so a report's comparisons share their resamples and a
 * task's resamples do not depend on which other tasks are present.
 */
import { MetaLoraError, type Rng, showValue } from '@meta-lora/artifacts';
import { chrfFromStatistics } from './chrf.ts';

/** How a task's score is computed from its examples. */
export type TaskAggregate = 'mean' | 'chrF';

/** Both methods' per-example values on one task. */
export interface PairedTaskSamples {
  readonly taskId: string;
  readonly aggregate: TaskAggregate;
  /** Test examples of the task: every seed of both methods scored the same n examples, in the same order. */
  readonly n: number;
  /**
   * Method A, one array per seed, row-major [n, w]: w = 1 (the 0/100 example score) for `mean`, w = 3 · char order
   * (`chrfStatistics` of the example) for `chrF`.
   */
  readonly a: readonly ArrayLike<number>[];
  /** Method B, the same layout (its own number of seeds). */
  readonly b: readonly ArrayLike<number>[];
}

export interface BootstrapInterval {
  /** A − B on the full test sets (macro-average over tasks of the seed-mean task scores). */
  readonly observed: number;
  /** Lower and upper bounds of the `level` interval of A − B. */
  readonly low: number;
  readonly high: number;
  readonly replicates: number;
  readonly level: number;
}

export interface BootstrapOptions {
  /** Coverage of the interval (default 0.95). */
  readonly level?: number;
}

/** Default number of replicates. */
export const BOOTSTRAP_REPLICATES = 2000;

/**
 * The resampled example indices of every task, drawn on first use from `rng.fork(taskId)` and kept, so comparisons
 * that share a `Resamples` share their resamples (and the cost of drawing them).
 *
 * @example
 * const resamples = new Resamples(Rng.fromSeed(0)); // 2,000 replicates
 * resamples.of('sentiment', 200).subarray(0, 200); // the first replicate's indices
 */
export class Resamples {
  private readonly drawn = new Map<string, Int32Array>();

  constructor(
    private readonly rng: Rng,
    readonly replicates: number = BOOTSTRAP_REPLICATES,
  ) {
    if (!Number.isInteger(replicates) || replicates < 1) {
      throw new MetaLoraError('CONFIG_INVALID', `replicates is ${showValue(replicates)}`, {
        field: 'replicates',
        value: replicates,
        fix: 'use a whole number of bootstrap replicates, e.g. 2000',
      });
    }
  }

  /** [B · n]: replicate r's n indices, each uniform in [0, n), at r · n. */
  of(taskId: string, n: number): Int32Array {
    const key = `${taskId}\0${n}`;
    let idx = this.drawn.get(key);
    if (idx === undefined) {
      const draw = this.rng.fork(taskId);
      idx = new Int32Array(this.replicates * n);
      for (let i = 0; i < idx.length; i++) idx[i] = draw.int(n);
      this.drawn.set(key, idx);
    }
    return idx;
  }
}

/**
 * @example
 * const ci = pairedBootstrap([{ taskId: 'sentiment', aggregate: 'mean', n: 3, a: [[100, 0, 100]], b: [[0, 0, 100]] }],
 *   new Resamples(Rng.fromSeed(0)));
 * ci.observed; // 33.3…; ci.low, ci.high: the 95 % interval of A − B
 */
export function pairedBootstrap(
  tasks: readonly PairedTaskSamples[],
  resamples: Resamples,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const { replicates } = resamples;
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) {
    throw new MetaLoraError('CONFIG_INVALID', `level is ${showValue(level)}`, {
      field: 'level',
      value: level,
      fix: 'use a coverage in (0, 1), e.g. 0.95',
    });
  }
  if (tasks.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', 'pairedBootstrap: no tasks to resample', {
      fix: 'pass at least one task scored by both methods',
    });
  }
  const T = tasks.length;
  const diffs = new Float64Array(replicates); // [B]
  let observed = 0;
  for (const task of tasks) {
    const difference = taskDifference(task);
    const all = Int32Array.from({ length: task.n }, (_, i) => i);
    observed += difference(all) / T;
    const idx = resamples.of(task.taskId, task.n); // [B · n_t]
    for (let r = 0; r < replicates; r++) {
      diffs[r] = (diffs[r] as number) + difference(idx.subarray(r * task.n, (r + 1) * task.n)) / T;
    }
  }
  diffs.sort();
  return {
    observed,
    low: quantile(diffs, (1 - level) / 2),
    high: quantile(diffs, (1 + level) / 2),
    replicates,
    level,
  };
}

/** A − B on one task for a set of example indices (with repeats). */
function taskDifference(task: PairedTaskSamples): (idx: Int32Array) => number {
  const { n, a, b, taskId } = task;
  if (!Number.isInteger(n) || n < 1 || a.length === 0 || b.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', `task ${showValue(taskId)}: ${n} examples, ${a.length} / ${b.length} seeds`, {
      field: taskId,
      fix: 'give each method at least one seed of at least one example',
    });
  }
  const width = a[0]!.length / n;
  for (const values of [...a, ...b]) {
    if (values.length !== n * width || !Number.isInteger(width) || (task.aggregate === 'mean' && width !== 1)) {
      throw new MetaLoraError(
        'SHAPE_MISMATCH',
        `task ${showValue(taskId)}: a seed has ${values.length} values for ${n} examples (${task.aggregate})`,
        {
          field: taskId,
          value: values.length,
          fix: 'pair the methods on the same test examples: one value per example (mean), one statistics row (chrF)',
        },
      );
    }
  }
  if (task.aggregate === 'mean') {
    // Linear in the examples: the seed average commutes with the resample, so one array of per-example differences.
    const d = new Float64Array(n); // [n]
    for (let i = 0; i < n; i++) d[i] = seedMean(a, i) - seedMean(b, i);
    return (idx) => {
      let s = 0;
      for (let j = 0; j < idx.length; j++) s += d[idx[j] as number] as number;
      return s / idx.length;
    };
  }
  const sum = new Float64Array(width); // [3 · order]
  const corpus = (seeds: readonly ArrayLike<number>[], idx: Int32Array) => {
    let total = 0;
    for (const values of seeds) {
      sum.fill(0);
      for (let j = 0; j < idx.length; j++) {
        const row = (idx[j] as number) * width;
        for (let c = 0; c < width; c++) sum[c] = (sum[c] as number) + (values[row + c] as number);
      }
      total += chrfFromStatistics(sum, { charOrder: width / 3 });
    }
    return total / seeds.length;
  };
  return (idx) => corpus(a, idx) - corpus(b, idx);
}

function seedMean(seeds: readonly ArrayLike<number>[], i: number): number {
  let s = 0;
  for (const values of seeds) s += values[i] as number;
  return s / seeds.length;
}

/**
 * The p-quantile of ascending `sorted` values with linear interpolation between order statistics (Hyndman & Fan
 * type 7, numpy's default).
 *
 * @example
 * quantile(Float64Array.from([0, 10]), 0.25); // 2.5
 */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
