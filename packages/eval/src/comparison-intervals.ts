/**
 * Bootstrap intervals for the report's comparisons (MeTA-LoRA minus a baseline, at a k): gathers both methods'
 * `eval-examples` rows per task and seed and hands them to `pairedBootstrap`. The tasks and seeds are those of the
 * `eval-results` rows the comparison is made of; a comparison whose per-example results are missing for one of its
 * cells (a run from before the artifact existed) gets no interval. Methods scored on different test examples are an
 * error: pairing them would be meaningless. `crossIntervals` pairs a method of one study with a method of another
 * (a follow-up against the study it follows) by the same procedure.
 */
import { MetaLoraError, Rng } from '@meta-lora/artifacts';
import {
  BOOTSTRAP_REPLICATES,
  type BootstrapInterval,
  type BootstrapOptions,
  type PairedTaskSamples,
  pairedBootstrap,
  Resamples,
} from './bootstrap.ts';
import type { Method } from './conditions.ts';
import type { EvalExampleRow } from './examples-artifact.ts';
import type { EvalResultRow } from './results-artifact.ts';

/** One comparison: the reference at k against a baseline at its k (absent for methods without one). */
export interface ComparisonKey {
  readonly reference: Method;
  readonly k?: number;
  readonly baseline: Method;
  readonly baselineK?: number;
}

export interface IntervalOptions extends BootstrapOptions {
  /** Bootstrap replicates (default 2,000). */
  readonly replicates?: number;
  /** Seed of the resampling generator (default 0). */
  readonly seed?: number;
}

/** The key of one (method, task, k, seed) cell of results, per-example or per-task. */
export const cellKey = (method: string, taskId: string, k: number | undefined, seed: number) =>
  `${method}\0${taskId}\0${k ?? ''}\0${seed}`;

/** One set of results with its per-example rows: a run, a study, or one side of a comparison across studies. */
export interface ResultsSide {
  readonly rows: readonly EvalResultRow[];
  readonly examples: readonly EvalExampleRow[];
}

/** A method at a k (absent for methods without one). */
export interface MethodAtK {
  readonly method: Method;
  readonly k?: number;
}

/**
 * One interval per comparison (null where per-example results are missing), over the tasks both methods were scored
 * on, each method averaged over its seeds. All comparisons share one set of resamples.
 *
 * @example
 * const [ci] = comparisonIntervals([{ reference: 'meta-lora-adapted', k: 16, baseline: 'multi-task-lora-full' }],
 *   results.rows, examples.rows);
 */
export function comparisonIntervals(
  comparisons: readonly ComparisonKey[],
  rows: readonly EvalResultRow[],
  examples: readonly EvalExampleRow[],
  options: IntervalOptions = {},
): (BootstrapInterval | null)[] {
  const side = { rows, examples };
  return crossIntervals(
    comparisons.map((c) => ({
      a: { method: c.reference, ...(c.k === undefined ? {} : { k: c.k }) },
      b: { method: c.baseline, ...(c.baselineK === undefined ? {} : { k: c.baselineK }) },
    })),
    side,
    side,
    options,
  );
}

/**
 * Intervals of `a` in results `sideA` minus `b` in results `sideB` (two studies scored on the same test examples, e.g.
 * a follow-up against the study it follows): the same procedure as `comparisonIntervals`, which is its special case of
 * one side. A pair with `seeds` averages both sides over those seeds alone. All comparisons share one set of
 * resamples.
 *
 * @example
 * const [ci] = crossIntervals([{ a: { method: 'meta-lora-adapted', k: 32 }, b: { method: 'meta-lora-adapted', k: 32 } }],
 *   followUp, study);
 */
export function crossIntervals(
  pairs: readonly { readonly a: MethodAtK; readonly b: MethodAtK; readonly seeds?: readonly number[] }[],
  sideA: ResultsSide,
  sideB: ResultsSide,
  options: IntervalOptions = {},
): (BootstrapInterval | null)[] {
  const cellsA = examplesByCell(sideA.examples);
  const cellsB = sideB === sideA ? cellsA : examplesByCell(sideB.examples);
  const taskIds = [...new Set([...sideA.rows, ...sideB.rows].map((r) => r.taskId))].sort();
  const resamples = new Resamples(Rng.fromSeed(options.seed ?? 0), options.replicates ?? BOOTSTRAP_REPLICATES);
  const seedsOf = (rows: readonly EvalResultRow[], m: MethodAtK, taskId: string, only?: readonly number[]) =>
    rows
      .filter((r) => r.method === m.method && r.taskId === taskId && r.k === m.k)
      .map((r) => r.seed)
      .filter((seed) => only === undefined || only.includes(seed));

  return pairs.map(({ a: ma, b: mb, seeds }) => {
    const tasks: PairedTaskSamples[] = [];
    for (const taskId of taskIds) {
      const seedsA = seedsOf(sideA.rows, ma, taskId, seeds);
      const seedsB = seedsOf(sideB.rows, mb, taskId, seeds);
      if (seedsA.length === 0 || seedsB.length === 0) continue;
      const a = seedsA.map((s) => cellsA.get(cellKey(ma.method, taskId, ma.k, s)));
      const b = seedsB.map((s) => cellsB.get(cellKey(mb.method, taskId, mb.k, s)));
      if (a.some((x) => x === undefined) || b.some((x) => x === undefined)) return null;
      tasks.push(pairTask(taskId, a as EvalExampleRow[][], b as EvalExampleRow[][]));
    }
    if (tasks.length === 0) return null;
    return pairedBootstrap(tasks, resamples, options);
  });
}

/** Per-example rows by (method, task, k, seed), in example order. */
function examplesByCell(examples: readonly EvalExampleRow[]): Map<string, EvalExampleRow[]> {
  const byCell = new Map<string, EvalExampleRow[]>();
  for (const e of examples) {
    const key = cellKey(e.method, e.taskId, e.k, e.seed);
    const list = byCell.get(key) ?? [];
    list.push(e);
    byCell.set(key, list);
  }
  for (const list of byCell.values()) list.sort((x, y) => x.exampleIndex - y.exampleIndex);
  return byCell;
}

function pairTask(taskId: string, a: EvalExampleRow[][], b: EvalExampleRow[][]): PairedTaskSamples {
  const first = a[0]!;
  const ids = first.map((e) => e.exampleId).join('\0');
  for (const list of [...a, ...b]) {
    if (list.map((e) => e.exampleId).join('\0') !== ids) {
      const x = list[0]!;
      throw new MetaLoraError(
        'DATA_INVALID',
        `task ${taskId}: ${x.method} (seed ${x.seed}${x.k === undefined ? '' : `, k ${x.k}`}) was scored on other test examples than ${first[0]!.method}`,
        {
          field: 'exampleId',
          fix: 'evaluate every method on the same test examples (same tasks artifact and maxTestExamplesPerTask)',
        },
      );
    }
  }
  const chrF = first[0]!.taskType === 'translation';
  const values = (list: EvalExampleRow[]) =>
    Float64Array.from(
      list.flatMap((e) => {
        const v = chrF ? e.chrfStatistics : e.score === undefined ? undefined : [e.score];
        if (v === undefined) {
          throw new MetaLoraError(
            'DATA_INVALID',
            `task ${taskId}: example ${e.exampleId} of ${e.method} has no ${chrF ? 'chrfStatistics' : 'score'}`,
            { field: chrF ? 'chrfStatistics' : 'score', fix: 'rerun eval to rebuild the eval-examples artifact' },
          );
        }
        return v;
      }),
    );
  return { taskId, aggregate: chrF ? 'chrF' : 'mean', n: first.length, a: a.map(values), b: b.map(values) };
}
