/**
 * Sanity checks that every report runs, per (k, seed) cell of a run or study. Each check is a small pure function
 * that can fail; `sanityChecks` applies them to a run's training records and to the results, and says which table
 * cells a failure puts in doubt.
 *
 *   train-loss-falls                 every trained method's training loss goes down: baselines lossLast < lossFirst;
 *                                    MeTA-LoRA's mean query loss after adaptation over the last 10 % of iterations
 *                                    is below that over the first 10 %
 *   beats-majority-class             full-data single-task LoRA scores above the majority-class rate of every
 *                                    classification task (else it may predict one label for everything)
 *   adaptation-lowers-support-loss   stage-1 adaptation lowers each task's mean support loss
 *
 * The training records are read by the pipeline (`train/baselines.arrow`, `train/metrics.jsonl`,
 * `adapt/adaptation.arrow`); the types below name only the fields the checks use. A record that is missing (a run
 * from before it was written) gives a check that is not applicable, never a failure.
 */
import type { EvalCellRow } from './cells-artifact.ts';
import { METHOD_LABELS, type Method } from './conditions.ts';
import type { EvalResultRow } from './results-artifact.ts';

export const SANITY_CHECKS = ['train-loss-falls', 'beats-majority-class', 'adaptation-lowers-support-loss'] as const;
export type SanityCheckName = (typeof SANITY_CHECKS)[number];

/** The fields of a `baselines` row (stage2-meta) the checks read. */
export interface BaselineTraining {
  readonly method: 'single-task' | 'multi-task-full' | 'multi-task-pool';
  /** The task of a single-task adapter; `*` for the multi-task ones. */
  readonly taskId: string;
  /** Training loss of the first and of the last optimizer step. */
  readonly lossFirst: number;
  readonly lossLast: number;
}

/** The fields of a line of stage2-meta's `metrics.jsonl` the checks read. */
export interface MetaIterationLoss {
  readonly iteration: number;
  /** Mean query loss of the adapted θᵢ over the iteration's tasks. */
  readonly queryLossAfter: number;
}

/** A row of the adapt stage's `adaptation` artifact: the support loss on the whole support set, in eval mode. */
export interface TaskAdaptation {
  readonly taskId: string;
  readonly examples: number;
  readonly supportLossBefore: number;
  readonly supportLossAfter: number;
}

/** The training records of one (k, seed) run. An absent field: the record was not found. */
export interface SanityRun {
  readonly k: number;
  readonly seed: number;
  readonly baselines?: readonly BaselineTraining[];
  readonly metaIterations?: readonly MetaIterationLoss[];
  readonly adaptation?: readonly TaskAdaptation[];
}

/** A report table cell a failure puts in doubt: a method at a k (absent: no k) on a task (`*`: every task). */
export interface CellFlag {
  readonly method: Method;
  readonly k?: number;
  readonly taskId: string;
}

/** The outcome of one check. */
export interface CheckOutcome {
  /** null: the check could not be made (its input is missing). */
  readonly passed: boolean | null;
  /** The numbers compared, e.g. `2.314 → 1.873`. */
  readonly detail: string;
}

export interface SanityCheck extends CheckOutcome {
  readonly check: SanityCheckName;
  /** The run's k; absent for the full-data cells of `beats-majority-class`. */
  readonly k?: number;
  readonly seed: number;
  /** What was checked, for the table: a method (and task), or the record that is missing. */
  readonly subject: string;
  readonly taskId: string;
  /** The cells to flag when it fails. */
  readonly flags: readonly CellFlag[];
}

/** All tasks. */
const ALL = '*';
const arrow = (before: number, after: number) => `${before.toFixed(3)} → ${after.toFixed(3)}`;

/**
 * A training loss that falls: the last step's below the first's.
 *
 * @example
 * lossFalls(2.31, 1.87); // { passed: true, detail: '2.310 → 1.870' }
 */
export function lossFalls(first: number, last: number): CheckOutcome {
  return { passed: last < first, detail: arrow(first, last) };
}

/**
 * MeTA-LoRA's query loss after adaptation falls: its mean over the last 10 % of iterations (at least one) is below its
 * mean over the first 10 %. Iterations are ordered by number; a log without iterations cannot be checked.
 *
 * @example
 * metaQueryLossFalls(lines); // { passed: true, detail: '3.012 → 2.456 (first / last 6 of 60 iterations)' }
 */
export function metaQueryLossFalls(iterations: readonly MetaIterationLoss[]): CheckOutcome {
  if (iterations.length === 0) return { passed: null, detail: 'no iterations logged' };
  const sorted = [...iterations].sort((a, b) => a.iteration - b.iteration);
  const w = Math.max(1, Math.floor(sorted.length / 10));
  const avg = (xs: readonly MetaIterationLoss[]) => xs.reduce((s, x) => s + x.queryLossAfter, 0) / xs.length;
  const first = avg(sorted.slice(0, w));
  const last = avg(sorted.slice(sorted.length - w));
  return {
    passed: last < first,
    detail: `${arrow(first, last)} (first / last ${w} of ${sorted.length} iterations)`,
  };
}

/**
 * A classifier above the majority-class rate (both in percent).
 *
 * @example
 * beatsMajorityClass(41, 59); // { passed: false, detail: '41.0 vs 59.0' }
 */
export function beatsMajorityClass(score: number, majorityClassRate: number): CheckOutcome {
  return { passed: score > majorityClassRate, detail: `${score.toFixed(1)} vs ${majorityClassRate.toFixed(1)}` };
}

/**
 * Stage-1 adaptation lowers the mean support loss.
 *
 * @example
 * adaptationLowersSupportLoss({ taskId: 'spam', examples: 16, supportLossBefore: 3.75, supportLossAfter: 3.95 }).passed; // false
 */
export function adaptationLowersSupportLoss(row: TaskAdaptation): CheckOutcome {
  return {
    passed: row.supportLossAfter < row.supportLossBefore,
    detail: arrow(row.supportLossBefore, row.supportLossAfter),
  };
}

const BASELINE_METHOD: Record<BaselineTraining['method'], Method> = {
  'single-task': 'single-task-lora',
  'multi-task-full': 'multi-task-lora-full',
  'multi-task-pool': 'multi-task-lora-k-shot',
};

/**
 * Every check of every run, and `beats-majority-class` on every seed's single-task LoRA results, sorted by k (none
 * first), seed, check and task. `cells` are the results' `eval-cells` rows (undefined: not available).
 *
 * @example
 * const checks = sanityChecks([{ k: 16, seed: 0, baselines, metaIterations, adaptation }], results.rows, cells.rows);
 * checks.filter((c) => c.passed === false);
 */
export function sanityChecks(
  runs: readonly SanityRun[],
  rows: readonly EvalResultRow[],
  cells: readonly EvalCellRow[] | undefined,
): SanityCheck[] {
  const out: SanityCheck[] = [];
  for (const run of runs) {
    const at = { k: run.k, seed: run.seed };
    const missing = (check: SanityCheckName, record: string): SanityCheck => ({
      check,
      ...at,
      subject: `(no ${record})`,
      taskId: ALL,
      passed: null,
      detail: 'not recorded by this run',
      flags: [],
    });
    if (run.baselines === undefined) out.push(missing('train-loss-falls', 'baseline training records'));
    for (const b of run.baselines ?? []) {
      const method = BASELINE_METHOD[b.method];
      const k = b.method === 'multi-task-pool' ? run.k : undefined;
      out.push({
        check: 'train-loss-falls',
        ...at,
        subject: METHOD_LABELS[method],
        taskId: b.taskId,
        ...lossFalls(b.lossFirst, b.lossLast),
        flags: [{ method, ...(k === undefined ? {} : { k }), taskId: b.taskId }],
      });
    }
    if (run.metaIterations === undefined) {
      out.push(missing('train-loss-falls', 'meta-training log'));
    } else {
      out.push({
        check: 'train-loss-falls',
        ...at,
        subject: 'MeTA-LoRA (meta-training query loss)',
        taskId: ALL,
        ...metaQueryLossFalls(run.metaIterations),
        // Both MeTA-LoRA rows start from the meta-trained adapter.
        flags: [
          { method: 'meta-lora-shared', k: run.k, taskId: ALL },
          { method: 'meta-lora-adapted', k: run.k, taskId: ALL },
        ],
      });
    }
    if (run.adaptation === undefined) out.push(missing('adaptation-lowers-support-loss', 'adaptation records'));
    for (const a of run.adaptation ?? []) {
      out.push({
        check: 'adaptation-lowers-support-loss',
        ...at,
        subject: `${METHOD_LABELS['meta-lora-adapted']} (${a.examples} support examples)`,
        taskId: a.taskId,
        ...adaptationLowersSupportLoss(a),
        flags: [{ method: 'meta-lora-adapted', k: run.k, taskId: a.taskId }],
      });
    }
  }
  out.push(...majorityChecks(rows, cells));
  const order = (c: SanityCheck) => SANITY_CHECKS.indexOf(c.check);
  return out.sort(
    (a, b) =>
      (a.k ?? 0) - (b.k ?? 0) ||
      a.seed - b.seed ||
      order(a) - order(b) ||
      (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0),
  );
}

/** `beats-majority-class` for every single-task LoRA result on a classification task. */
function majorityChecks(rows: readonly EvalResultRow[], cells: readonly EvalCellRow[] | undefined): SanityCheck[] {
  const method: Method = 'single-task-lora';
  const subject = METHOD_LABELS[method];
  const single = rows.filter((r) => r.method === method && r.taskType === 'classification');
  return single.map((r) => {
    const base = { check: 'beats-majority-class' as const, seed: r.seed, subject, taskId: r.taskId };
    const rate = cells?.find(
      (c) => c.method === method && c.taskId === r.taskId && c.seed === r.seed,
    )?.majorityClassRate;
    if (rate === undefined) {
      return { ...base, passed: null, detail: 'majority-class rate not recorded (no eval-cells)', flags: [] };
    }
    return { ...base, ...beatsMajorityClass(r.score, rate), flags: [{ method, taskId: r.taskId }] };
  });
}

/**
 * Whether a failed check flags `method` at `k` on `taskId` (a flag on `*` covers every task).
 *
 * @example
 * isFlagged(checks, 'single-task-lora', undefined, 'sentiment');
 */
export function isFlagged(
  checks: readonly SanityCheck[],
  method: Method,
  k: number | undefined,
  taskId: string,
): boolean {
  return checks.some(
    (c) =>
      c.passed === false &&
      c.flags.some((f) => f.method === method && f.k === k && (f.taskId === ALL || f.taskId === taskId)),
  );
}
