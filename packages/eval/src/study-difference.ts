/**
 * One study against another: a follow-up that changes one setting of a study (e.g. the k-shot methods' training
 * budgets) measured against the study it follows, on the same tasks, test examples, k and seeds. For each method both
 * scored at the same k (or both without one), this study minus the other, over the tasks both have:
 *
 * - the macro-average difference of the seed-mean task scores, wins / losses / ties over tasks and the sign test;
 * - the paired bootstrap interval (`crossIntervals`: test examples resampled within each task, the same draw for both
 *   studies and every seed), as the report's comparisons have;
 * - the difference at each seed alone: a seed pairs the two runs of one method (the same k-shot pool and θ₀).
 *
 * Beside them, MeTA-LoRA here (the report's reference method) against each method only the other study scored (a
 * baseline the follow-up did not rerun, such as full-data LoRA), without per-seed differences: those runs share no
 * draw. Only the seeds both studies have count, on both sides.
 */
import { BOOTSTRAP_REPLICATES } from './bootstrap.ts';
import {
  cellKey,
  crossIntervals,
  type IntervalOptions,
  type MethodAtK,
  type ResultsSide,
} from './comparison-intervals.ts';
import { METHOD_LABELS, METHODS } from './conditions.ts';
import { meanStd, methodLabel, PAIRED_HEADER, pairedCells, type Table } from './report-tables.ts';
import type { EvalResultRow } from './results-artifact.ts';
import { mean, pairedComparison, sampleStd } from './statistics.ts';
import { type ComparisonSummary, type MacroScore, referenceMethod } from './summarize.ts';

/** This study's `reference` at `k` minus the other study's `baseline` at `baselineK`. */
export interface StudyDifference extends ComparisonSummary {
  /** This study's macro average. */
  readonly here: MacroScore;
  /** The other study's. */
  readonly there: MacroScore;
  /** The same method in both, with the same score and target loss on every task at every seed compared. */
  readonly identical: boolean;
}

export interface StudyDifferences {
  readonly differences: readonly StudyDifference[];
  /**
   * The seeds both studies have. Each difference covers those at which both scored its methods on every task (its
   * `here.seeds`): a cell missing on one side leaves that seed out of both.
   */
  readonly seeds: readonly number[];
  /** The tasks both studies have. */
  readonly taskIds: readonly string[];
  /** Bootstrap replicates and seed, or null when either side lacks per-example results (no intervals). */
  readonly bootstrap: { readonly replicates: number; readonly seed: number } | null;
}

const sameCell = (a: MethodAtK, b: MethodAtK) => a.method === b.method && a.k === b.k;

/**
 * @example
 * const { differences } = studyDifferences(followUp, study); // one per method both scored, then MeTA-LoRA vs the rest
 * differences[0]?.perSeed; // [{ seed: 0, difference: 1.2 }, …]
 */
export function studyDifferences(
  here: ResultsSide,
  there: ResultsSide,
  options: IntervalOptions = {},
): StudyDifferences {
  const seedsOf = (rows: readonly EvalResultRow[]) => new Set(rows.map((r) => r.seed));
  const tasksOf = (rows: readonly EvalResultRow[]) => new Set(rows.map((r) => r.taskId));
  const [seedsThere, tasksThere] = [seedsOf(there.rows), tasksOf(there.rows)];
  const seeds = [...seedsOf(here.rows)].filter((s) => seedsThere.has(s)).sort((a, b) => a - b);
  const taskIds = [...tasksOf(here.rows)].filter((t) => tasksThere.has(t)).sort();
  const keep = (r: { seed: number; taskId: string }) => seeds.includes(r.seed) && taskIds.includes(r.taskId);
  const sideA: ResultsSide = { rows: here.rows.filter(keep), examples: here.examples.filter(keep) };
  const sideB: ResultsSide = { rows: there.rows.filter(keep), examples: there.examples.filter(keep) };

  const cells = (rows: readonly EvalResultRow[]) => {
    const out: MethodAtK[] = [];
    for (const r of rows) {
      if (!out.some((c) => c.method === r.method && c.k === r.k)) {
        out.push({ method: r.method, ...(r.k === undefined ? {} : { k: r.k }) });
      }
    }
    return out.sort((a, b) => METHODS.indexOf(a.method) - METHODS.indexOf(b.method) || (a.k ?? 0) - (b.k ?? 0));
  };
  const cellsA = cells(sideA.rows);
  const cellsB = cells(sideB.rows);
  const pairs: { a: MethodAtK; b: MethodAtK }[] = cellsA.flatMap((a) =>
    cellsB.some((b) => sameCell(a, b)) ? [{ a, b: a }] : [],
  );
  // MeTA-LoRA here against what only the other study scored, at its k or without one.
  const ref = referenceMethod(cellsA.map((c) => c.method));
  const methodsA = new Set(cellsA.map((c) => c.method));
  for (const a of cellsA.filter((c) => c.method === ref)) {
    for (const b of cellsB) {
      if (!methodsA.has(b.method) && (b.k === undefined || b.k === a.k)) pairs.push({ a, b });
    }
  }

  const rowAt = (rows: readonly EvalResultRow[]) =>
    new Map(rows.map((r) => [cellKey(r.method, r.taskId, r.k, r.seed), r]));
  const [rowsA, rowsB] = [rowAt(sideA.rows), rowAt(sideB.rows)];
  const at = (rows: Map<string, EvalResultRow>, m: MethodAtK, taskId: string, seed: number) =>
    rows.get(cellKey(m.method, taskId, m.k, seed));
  const macro = (v: readonly number[]): MacroScore => ({ mean: mean(v), std: sampleStd(v), seeds: v.length });
  const withExamples = sideA.examples.length > 0 && sideB.examples.length > 0;
  const bootstrap = withExamples
    ? { replicates: options.replicates ?? BOOTSTRAP_REPLICATES, seed: options.seed ?? 0 }
    : null;

  // Per pair, the seeds at which both studies scored their method on every task: the only ones either side averages
  // over (a pair without any is left out).
  const paired = pairs
    .map(({ a, b }) => ({
      a,
      b,
      seeds: seeds.filter((seed) =>
        taskIds.every((t) => at(rowsA, a, t, seed) !== undefined && at(rowsB, b, t, seed) !== undefined),
      ),
    }))
    .filter((p) => p.seeds.length > 0);
  const intervals = bootstrap ? crossIntervals(paired, sideA, sideB, { ...options, ...bootstrap }) : [];
  const score = (rows: Map<string, EvalResultRow>, m: MethodAtK, t: string, seed: number) =>
    (at(rows, m, t, seed) as EvalResultRow).score;

  const differences = paired.map(({ a, b, seeds: pairSeeds }, i): StudyDifference => {
    const interval = intervals[i];
    const perA = pairSeeds.map((seed) => mean(taskIds.map((t) => score(rowsA, a, t, seed))));
    const perB = pairSeeds.map((seed) => mean(taskIds.map((t) => score(rowsB, b, t, seed))));
    const seedMean = (rows: Map<string, EvalResultRow>, m: MethodAtK) =>
      taskIds.map((t) => mean(pairSeeds.map((seed) => score(rows, m, t, seed))));
    // One method in both studies whose every (task, seed) row has the same score and target loss, to the last digit.
    const identical =
      sameCell(a, b) &&
      pairSeeds.every((seed) =>
        taskIds.every((t) => {
          const x = at(rowsA, a, t, seed) as EvalResultRow;
          const y = at(rowsB, b, t, seed) as EvalResultRow;
          return x.score === y.score && x.targetLoss === y.targetLoss;
        }),
      );
    return {
      reference: a.method,
      baseline: b.method,
      ...(a.k === undefined ? {} : { k: a.k }),
      ...(b.k === undefined ? {} : { baselineK: b.k }),
      ...pairedComparison(seedMean(rowsA, a), seedMean(rowsB, b)),
      ...(interval ? { interval } : {}),
      perSeed: sameCell(a, b) ? pairSeeds.map((seed, j) => ({ seed, difference: perA[j]! - perB[j]! })) : [],
      here: macro(perA),
      there: macro(perB),
      identical,
    };
  });
  return { differences, seeds, taskIds, bootstrap };
}

/**
 * The report's section for a study compared with `otherName`: one row per difference. `missing` names the other
 * study's cells that were not there to read (e.g. `k = 32 seed 2`).
 *
 * @example
 * studyDifferenceTable(studyDifferences(followUp, study), 'multilingual').title; // 'Against the multilingual study'
 */
export function studyDifferenceTable(d: StudyDifferences, otherName: string, missing: readonly string[] = []): Table {
  const interval =
    d.bootstrap === null
      ? 'Intervals unavailable: one of the studies has no per-example results (eval-examples.arrow).'
      : `95 % CI: paired bootstrap over tasks × test examples (${d.bootstrap.replicates.toLocaleString('en-US')} ` +
        `replicates, seed ${d.bootstrap.seed}), resampling each task's test examples once for both studies and every ` +
        'seed; 2.5 and 97.5 percentiles. n/a: a cell has no per-example results.';
  const identical = d.differences.filter((c) => c.identical).map((c) => methodLabel(c.reference, c.k));
  return {
    title: `Against the ${otherName} study`,
    note:
      `This study minus the ${otherName} study on the same tasks and test examples (${d.taskIds.length} tasks): ` +
      `each method against itself there (positive: better here), then ${METHOD_LABELS['meta-lora-adapted']} here ` +
      `against the methods only the ${otherName} study scored. Each row covers the seeds at which both studies ` +
      `scored its methods on every task (of ${d.seeds.join(', ')}). ` +
      (missing.length > 0 ? `Not in the ${otherName} study's published cells: ${missing.join(', ')}. ` : '') +
      (identical.length > 0
        ? `Scored identically in both (the score and target loss of every task at every seed): ${identical.join(', ')}. `
        : '') +
      'Here and There: macro average, mean ± sample std over seeds. Paired over tasks (each task contributes its ' +
      'seed-mean score), wins / losses / ties and the two-sided exact sign-test p-value. ' +
      `${interval} Δ per seed: the same difference at each seed alone (s0: seed 0); across the two studies a seed ` +
      'pairs the runs of one method (the same k-shot pool and initial adapter; zero-shot is the same at every seed), ' +
      'and — marks different methods, whose runs share no draw. The interval resamples test examples, not seeds: ' +
      'these show whether a difference holds at every seed.',
    header: ['Here', `${otherName} study`, 'Here (mean)', 'There (mean)', ...PAIRED_HEADER],
    rows: d.differences.map((c) => [
      methodLabel(c.reference, c.k),
      methodLabel(c.baseline, c.baselineK),
      meanStd(c.here.mean, c.here.std, c.here.seeds),
      meanStd(c.there.mean, c.there.std, c.there.seeds),
      ...pairedCells(c),
    ]),
  };
}
