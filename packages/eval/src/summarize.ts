/**
 * Aggregates `eval-results` rows for the report: mean ± sample std over seeds per method × task × k, the paired
 * comparison of MeTA-LoRA against every baseline (units are tasks: per-task seed-mean scores), the k-sweep
 * (macro-average over tasks per method and k; full-data and zero-shot methods become reference lines) and the data
 * each method used. With the `eval-cells` rows, cells also carry the majority-class rate and the data actually trained
 * on; with the `eval-examples` rows, each comparison carries its paired bootstrap interval.
 */
import { BOOTSTRAP_REPLICATES, type BootstrapInterval } from './bootstrap.ts';
import type { EvalCellRow, TrainedScope } from './cells-artifact.ts';
import { comparisonIntervals, type IntervalOptions } from './comparison-intervals.ts';
import { METHODS, type Method } from './conditions.ts';
import type { EvalExampleRow } from './examples-artifact.ts';
import type { EvalResultRow } from './results-artifact.ts';
import { mean, type PairedComparison, pairedComparison, sampleStd } from './statistics.ts';

export interface CellSummary {
  readonly method: Method;
  readonly taskId: string;
  /** Absent for zero-shot and full-data methods. */
  readonly k?: number;
  readonly primaryMetric: string;
  readonly seeds: number;
  readonly mean: number;
  readonly std: number;
  readonly targetLoss: number;
  /** Mean over seeds. */
  readonly examplesUsed: number;
  readonly tokensUsed: number;
  /** Classification, with `eval-cells`: share of the most frequent gold label (percent), mean over seeds. */
  readonly majorityClassRate?: number;
  /** With `eval-cells`, when every seed reports them: data actually trained on, mean over seeds. */
  readonly examplesTrained?: number;
  readonly tokensTrained?: number;
  /** `all-tasks`: the trained counts are the condition's total over its tasks, not this task's. */
  readonly trainedScope?: TrainedScope;
}

export interface ComparisonSummary extends PairedComparison {
  readonly reference: Method;
  readonly baseline: Method;
  /** The k of the reference (and of a k-shot baseline). */
  readonly k?: number;
  /** k of the baseline; absent for full-data / zero-shot baselines. */
  readonly baselineK?: number;
  /** Paired bootstrap interval of reference − baseline over tasks × examples; absent without per-example results. */
  readonly interval?: BootstrapInterval;
  /**
   * The difference at each seed both methods ran at alone: that seed's macro-average over the paired tasks, reference
   * minus baseline, seeds ascending (a seed missing one of the tasks for either method is left out). The interval
   * resamples test examples, not seeds; these show whether the difference holds at every seed. Empty where a seed does
   * not pair the runs: a baseline without k trained at each seed (its seed-s run shares no draw with the reference's
   * seed-s run, so matching them by seed number would be arbitrary). A baseline with a k shares the seed's pool; one
   * whose scores are the same at every seed (zero-shot) pairs with any.
   */
  readonly perSeed: readonly { readonly seed: number; readonly difference: number }[];
}

/** A method's task-averaged score: mean and sample std over seeds. */
export interface MacroScore {
  /** Mean over seeds of the task-averaged score. */
  readonly mean: number;
  readonly std: number;
  /** Seeds behind it (an interim study may have fewer at some k). */
  readonly seeds: number;
}

export interface SweepPoint extends MacroScore {
  readonly k: number;
}

export interface ResultsSummary {
  /** Methods present, in `METHODS` order. */
  readonly methods: readonly Method[];
  readonly taskIds: readonly string[];
  /** k values present, ascending. */
  readonly ks: readonly number[];
  readonly seeds: readonly number[];
  readonly cells: readonly CellSummary[];
  readonly comparisons: readonly ComparisonSummary[];
  /** Each full-data baseline minus zero-shot (did it learn the suite?), with intervals like the comparisons. */
  readonly baselineChecks: readonly ComparisonSummary[];
  /** Curves of the k-shot methods. */
  readonly sweep: readonly { method: Method; points: readonly SweepPoint[] }[];
  /** Task-averaged scores of the methods without k (reference lines on the k-sweep). */
  readonly references: readonly ({ method: Method } & MacroScore)[];
  /** The bootstrap settings when per-example results were given, else null (no intervals). */
  readonly bootstrap: { readonly replicates: number; readonly seed: number } | null;
  /** Whether `eval-cells` rows were given (majority-class rates, trained counts). */
  readonly hasCells: boolean;
}

export interface SummarizeOptions {
  /** `eval-cells` rows of the results: majority-class rates and trained counts. */
  readonly cells?: readonly EvalCellRow[];
  /** `eval-examples` rows of the results: bootstrap intervals on the comparisons. */
  readonly examples?: readonly EvalExampleRow[];
  /** Replicates (default 2,000) and seed (default 0) of the bootstrap. */
  readonly bootstrap?: IntervalOptions;
}

/** The method MeTA-LoRA is represented by in comparisons: adapted when present, else shared. */
export function referenceMethod(methods: readonly Method[]): Method | null {
  if (methods.includes('meta-lora-adapted')) return 'meta-lora-adapted';
  if (methods.includes('meta-lora-shared')) return 'meta-lora-shared';
  return null;
}

/** The baselines trained on every train example, checked against zero-shot. */
const FULL_DATA_METHODS: readonly Method[] = ['single-task-lora', 'multi-task-lora-full'];

const cellKey = (method: string, taskId: string, k: number | undefined) => `${method}\0${taskId}\0${k ?? ''}`;

/**
 * @example
 * const s = summarizeResults(readArtifact(path, EvalResultsArtifact).rows);
 * s.cells.find((c) => c.method === 'meta-lora-adapted' && c.taskId === 'sentiment')?.mean;
 */
export function summarizeResults(rows: readonly EvalResultRow[], options: SummarizeOptions = {}): ResultsSummary {
  const methods = METHODS.filter((m) => rows.some((r) => r.method === m));
  const taskIds = [...new Set(rows.map((r) => r.taskId))].sort();
  const ks = [...new Set(rows.flatMap((r) => (r.k === undefined ? [] : [r.k])))].sort((a, b) => a - b);
  const seeds = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);

  const groups = new Map<string, EvalResultRow[]>();
  for (const r of rows) {
    const key = cellKey(r.method, r.taskId, r.k);
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const facts = new Map<string, EvalCellRow>();
  for (const c of options.cells ?? []) facts.set(`${cellKey(c.method, c.taskId, c.k)}\0${c.seed}`, c);
  const cells: CellSummary[] = [];
  const cellMap = new Map<string, CellSummary>();
  for (const [key, list] of groups) {
    const first = list[0]!;
    const scores = list.map((r) => r.score);
    const cell: CellSummary = {
      method: first.method,
      taskId: first.taskId,
      ...(first.k === undefined ? {} : { k: first.k }),
      primaryMetric: first.primaryMetric,
      seeds: list.length,
      mean: mean(scores),
      std: sampleStd(scores),
      targetLoss: mean(list.map((r) => r.targetLoss)),
      examplesUsed: mean(list.map((r) => r.examplesUsed)),
      tokensUsed: mean(list.map((r) => r.tokensUsed)),
      ...cellFacts(list.map((r) => facts.get(`${key}\0${r.seed}`))),
    };
    cells.push(cell);
    cellMap.set(key, cell);
  }
  cells.sort(
    (a, b) =>
      METHODS.indexOf(a.method) - METHODS.indexOf(b.method) ||
      (a.k ?? 0) - (b.k ?? 0) ||
      (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0),
  );

  const kOf = (m: Method) => [...new Set(rows.filter((r) => r.method === m).map((r) => r.k))];
  const scoreAt = new Map(rows.map((r) => [`${cellKey(r.method, r.taskId, r.k)}\0${r.seed}`, r.score]));
  /** Per seed, `a` at `k` minus `b` at `bk`, macro-averaged over `tasks` (seeds lacking one of them left out). */
  const perSeed = (a: Method, k: number | undefined, b: Method, bk: number | undefined, tasks: readonly string[]) =>
    seeds.flatMap((seed) => {
      const at = (m: Method, mk: number | undefined, t: string) => scoreAt.get(`${cellKey(m, t, mk)}\0${seed}`);
      const d = tasks.map((t) => {
        const x = at(a, k, t);
        const y = at(b, bk, t);
        return x === undefined || y === undefined ? undefined : x - y;
      });
      return d.every((v) => v !== undefined) ? [{ seed, difference: mean(d as number[]) }] : [];
    });
  /** Whether `b` at `bk` scores the same at every seed on every task (zero-shot: no draw depends on the seed). */
  const seedFree = (b: Method, bk: number | undefined) => {
    const scores = new Map<string, number>();
    for (const r of rows) {
      if (r.method !== b || r.k !== bk) continue;
      const seen = scores.get(r.taskId);
      if (seen !== undefined && seen !== r.score) return false;
      scores.set(r.taskId, r.score);
    }
    return true;
  };
  /** `a` at `k` minus `b` at `bk`, paired over the tasks both have; null when they share none. */
  const pair = (a: Method, k: number | undefined, b: Method, bk: number | undefined): ComparisonSummary | null => {
    const x: number[] = [];
    const y: number[] = [];
    const tasks: string[] = [];
    for (const t of taskIds) {
      const cx = cellMap.get(cellKey(a, t, k));
      const cy = cellMap.get(cellKey(b, t, bk));
      if (cx && cy) {
        x.push(cx.mean);
        y.push(cy.mean);
        tasks.push(t);
      }
    }
    if (x.length === 0) return null;
    return {
      reference: a,
      baseline: b,
      ...(k === undefined ? {} : { k }),
      ...(bk === undefined ? {} : { baselineK: bk }),
      ...pairedComparison(x, y),
      perSeed: bk !== undefined || seedFree(b, bk) ? perSeed(a, k, b, bk, tasks) : [],
    };
  };
  const comparisons: ComparisonSummary[] = [];
  const ref = referenceMethod(methods);
  if (ref) {
    for (const k of kOf(ref)) {
      for (const baseline of methods) {
        if (baseline === ref) continue;
        const baseKs = kOf(baseline);
        // A k-shot baseline is compared at the same k; a method without k at every k of the reference.
        const bk = baseKs.includes(undefined) ? undefined : baseKs.includes(k) ? k : null;
        if (bk === null) continue;
        const c = pair(ref, k, baseline, bk);
        if (c) comparisons.push(c);
      }
    }
  }
  // Whether the full-data baselines learnt the suite at all: each minus zero-shot.
  const baselineChecks = methods.includes('base-zero-shot')
    ? FULL_DATA_METHODS.filter((m) => methods.includes(m)).flatMap(
        (m) => pair(m, undefined, 'base-zero-shot', undefined) ?? [],
      )
    : [];

  /** Per seed, the score averaged over all tasks (seeds missing a task are left out). */
  const macro = (method: Method, k: number | undefined) => {
    const perSeed: number[] = [];
    for (const seed of seeds) {
      const scores = taskIds.map(
        (t) => rows.find((r) => r.method === method && r.taskId === t && r.k === k && r.seed === seed)?.score,
      );
      if (scores.every((s) => s !== undefined)) perSeed.push(mean(scores as number[]));
    }
    return { mean: mean(perSeed), std: sampleStd(perSeed), n: perSeed.length };
  };
  const sweep = methods
    .filter((m) => kOf(m).some((k) => k !== undefined))
    .map((method) => ({
      method,
      points: ks
        .map((k) => ({ k, ...macro(method, k) }))
        .filter((p) => p.n > 0)
        .map(({ k, mean: m, std, n }) => ({ k, mean: m, std, seeds: n })),
    }));
  const references = methods
    .filter((m) => kOf(m).includes(undefined))
    .flatMap((method) => {
      const v = macro(method, undefined);
      return v.n > 0 ? [{ method, mean: v.mean, std: v.std, seeds: v.n }] : [];
    });

  const bootstrap = options.examples
    ? { replicates: options.bootstrap?.replicates ?? BOOTSTRAP_REPLICATES, seed: options.bootstrap?.seed ?? 0 }
    : null;
  const all = [...comparisons, ...baselineChecks];
  const intervals = options.examples ? comparisonIntervals(all, rows, options.examples, bootstrap!) : [];
  const withIntervals = all.map((c, i) => {
    const interval = intervals[i];
    return interval ? { ...c, interval } : c;
  });

  return {
    methods,
    taskIds,
    ks,
    seeds,
    cells,
    comparisons: withIntervals.slice(0, comparisons.length),
    baselineChecks: withIntervals.slice(comparisons.length),
    sweep,
    references,
    bootstrap,
    hasCells: options.cells !== undefined,
  };
}

/** A cell's majority-class rate and trained counts, averaged over its seeds (only when every seed has them). */
function cellFacts(
  facts: readonly (EvalCellRow | undefined)[],
): Pick<CellSummary, 'majorityClassRate' | 'examplesTrained' | 'tokensTrained' | 'trainedScope'> {
  const all = facts.every((f) => f !== undefined) ? (facts as EvalCellRow[]) : [];
  if (all.length === 0) return {};
  const majority = all.every((f) => f.majorityClassRate !== undefined);
  const scope = all[0]!.trainedScope;
  const trained = scope !== undefined && all.every((f) => f.trainedScope === scope);
  return {
    ...(majority ? { majorityClassRate: mean(all.map((f) => f.majorityClassRate!)) } : {}),
    ...(trained
      ? {
          examplesTrained: mean(all.map((f) => f.examplesTrained!)),
          tokensTrained: mean(all.map((f) => f.tokensTrained!)),
          trainedScope: scope,
        }
      : {}),
  };
}
