/**
 * The report's tables as plain data (header + rows of cell strings), shared by the Markdown and HTML renderers so
 * the two always show the same numbers.
 */
import { METHOD_LABELS, type Method } from './conditions.ts';
import { isFlagged, type SanityCheck } from './sanity-checks.ts';
import type { CellSummary, ComparisonSummary, ResultsSummary } from './summarize.ts';
import type { TrainingCurves } from './training-curves.ts';

export interface Table {
  readonly title: string;
  /** One paragraph under the title. */
  readonly note: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** `mean ± std` with one decimal (std omitted for a single seed). */
export function meanStd(mean: number, std: number, seeds: number, digits = 1): string {
  return seeds > 1 ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)}` : mean.toFixed(digits);
}

/** A method's label with its budget: `(k = 8)` for k-shot methods at k. */
export function methodLabel(method: Method, k: number | undefined): string {
  return k === undefined ? METHOD_LABELS[method] : `${METHOD_LABELS[method]}, k = ${k}`;
}

/** The (method, k) rows shown at budget `k`: k-shot methods at that k, then every method without k. */
export function rowsAtK(s: ResultsSummary, k: number | undefined): { method: Method; k: number | undefined }[] {
  const out: { method: Method; k: number | undefined }[] = [];
  for (const method of s.methods) {
    const ks = new Set(s.cells.filter((c) => c.method === method).map((c) => c.k));
    if (ks.has(undefined)) out.push({ method, k: undefined });
    else if (k !== undefined && ks.has(k)) out.push({ method, k });
  }
  return out;
}

/** The budgets that get a score table: every k, or one table when no method has a k. */
export function budgets(s: ResultsSummary): (number | undefined)[] {
  return s.ks.length > 0 ? [...s.ks] : [undefined];
}

function cellOf(s: ResultsSummary, method: Method, taskId: string, k: number | undefined): CellSummary | undefined {
  return s.cells.find((c) => c.method === method && c.taskId === taskId && c.k === k);
}

function metricOf(s: ResultsSummary, taskId: string): string {
  return s.cells.find((c) => c.taskId === taskId)?.primaryMetric ?? '';
}

/** Appended to a table cell that a failed sanity check puts in doubt. */
export const FLAG = ' ⚠';

/** Primary-metric scores at budget k, with a macro-average column; a failed sanity check flags its cells. */
export function scoreTable(s: ResultsSummary, k: number | undefined, checks: readonly SanityCheck[] = []): Table {
  const rows = rowsAtK(s, k).map(({ method, k: mk }) => {
    const cells = s.taskIds.map((t) => cellOf(s, method, t, mk));
    const present = cells.filter((c) => c !== undefined);
    const avg = present.length === s.taskIds.length ? present.reduce((a, c) => a + c.mean, 0) / present.length : null;
    const flag = (t: string) => (isFlagged(checks, method, mk, t) ? FLAG : '');
    return [
      methodLabel(method, mk),
      ...cells.map((c, i) => (c ? meanStd(c.mean, c.std, c.seeds) + flag(s.taskIds[i]!) : '—')),
      avg === null ? '—' : avg.toFixed(1),
    ];
  });
  const majority = s.taskIds.map((t) => s.cells.find((c) => c.taskId === t)?.majorityClassRate);
  if (majority.some((m) => m !== undefined)) {
    rows.push(['Majority class (test labels)', ...majority.map((m) => m?.toFixed(1) ?? '—'), '—']);
  }
  return {
    title: k === undefined ? 'Scores' : `Scores at k = ${k}`,
    note:
      'Primary metric per task in percent (classification: accuracy of log-likelihood label scoring; generation: ' +
      'normalised exact match; translation: chrF), mean ± sample std over seeds. Methods without a k budget ' +
      '(zero-shot, full data) are repeated in every table. The majority-class row is the accuracy of always ' +
      `predicting the most frequent test label.${FLAG}: a sanity check failed for this cell (see Sanity checks).`,
    header: ['Method', ...s.taskIds.map((t) => `${t} (${metricOf(s, t)})`), 'Mean'],
    rows,
  };
}

const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

/** The header of `pairedCells`. */
export const PAIRED_HEADER = ['Tasks', 'Δ mean (points)', '95 % CI', 'Δ per seed', 'W / L / T', 'Sign-test p'] as const;

/** The interval cells of a comparison row: the difference, its 95 % CI and per seed, W / L / T and the sign-test p. */
export const pairedCells = (c: ComparisonSummary) => [
  String(c.n),
  signed(c.meanDifference),
  c.interval ? `[${signed(c.interval.low)}, ${signed(c.interval.high)}]` : 'n/a',
  c.perSeed.length > 0 ? c.perSeed.map((s) => `s${s.seed} ${signed(s.difference)}`).join(' / ') : '—',
  `${c.wins} / ${c.losses} / ${c.ties}`,
  c.signTestP < 0.001 ? c.signTestP.toExponential(1) : c.signTestP.toFixed(3),
];

/** What the per-seed column of the comparison tables is. */
const PER_SEED_NOTE =
  'Δ per seed: the same difference at each seed alone (s0: seed 0), where a seed pairs the two runs: a baseline with ' +
  'a k shares the seed’s k-shot pool, and zero-shot is the same at every seed; — for a baseline trained once per ' +
  'seed without k (full data), whose seed-s run shares no draw with MeTA-LoRA’s. The interval resamples test ' +
  'examples, not seeds: these show whether a difference holds at every seed.';

/** What the report's intervals are, or why there are none. */
function intervalsNote(s: ResultsSummary): string {
  return s.bootstrap === null
    ? 'Intervals unavailable: these results have no per-example artifact (eval-examples.arrow, written by eval ' +
        'since per-example results were added); rerun eval to get them.'
    : `95 % CI: paired bootstrap over tasks × test examples (${s.bootstrap.replicates.toLocaleString('en-US')} ` +
        `replicates, seed ${s.bootstrap.seed}): test examples resampled within each task, the same for both ` +
        'methods and every seed; per replicate the difference of the macro-averages over tasks of the seed-mean ' +
        'task scores (chrF recomputed from the resampled statistics); 2.5 and 97.5 percentiles. n/a: a cell has no ' +
        'per-example results.';
}

/** MeTA-LoRA against every baseline, paired over tasks, with the paired bootstrap interval of the difference. */
export function comparisonTable(s: ResultsSummary, checks: readonly SanityCheck[] = []): Table | null {
  if (s.comparisons.length === 0) return null;
  const ref = s.comparisons[0]!.reference;
  const flagged = (method: Method, k: number | undefined) => s.taskIds.some((t) => isFlagged(checks, method, k, t));
  return {
    title: `${METHOD_LABELS[ref]} vs baselines`,
    note:
      'Paired over tasks (each task contributes its seed-mean score): mean difference in percentage points ' +
      '(positive: MeTA-LoRA better), wins / losses / ties, and the two-sided exact sign-test p-value (ties dropped). ' +
      `${intervalsNote(s)} ${PER_SEED_NOTE}${FLAG}: a sanity check failed for MeTA-LoRA or the baseline at this k.`,
    header: ['Baseline', 'MeTA-LoRA k', ...PAIRED_HEADER],
    rows: s.comparisons.map((c) => [
      methodLabel(c.baseline, c.baselineK) +
        (flagged(c.reference, c.k) || flagged(c.baseline, c.baselineK) ? FLAG : ''),
      c.k === undefined ? '—' : String(c.k),
      ...pairedCells(c),
    ]),
  };
}

/** Each full-data baseline minus zero-shot: whether the baselines learnt the suite at all. */
export function baselineCheckTable(s: ResultsSummary): Table | null {
  if (s.baselineChecks.length === 0) return null;
  return {
    title: 'Full-data baselines vs zero-shot',
    note:
      'Whether the full-data baselines learnt the suite: each minus the base model zero-shot, paired over tasks ' +
      `like the comparisons above (positive: the baseline better). ${intervalsNote(s)} ${PER_SEED_NOTE}`,
    header: ['Baseline', 'Tasks', 'Δ mean vs zero-shot (points)', '95 % CI', 'Δ per seed', 'W / L / T', 'Sign-test p'],
    rows: s.baselineChecks.map((c) => [methodLabel(c.reference, undefined), ...pairedCells(c)]),
  };
}

/** Task-averaged score per k for the k-shot methods, with the methods without k as reference rows. */
export function sweepTable(s: ResultsSummary): Table | null {
  if (s.ks.length === 0) return null;
  return {
    title: 'Data efficiency (k-sweep)',
    note:
      'Score averaged over tasks, mean ± std over seeds, per k examples per task. Reference rows are methods ' +
      'without a k budget (zero-shot and full-data baselines); their value does not depend on k.',
    header: ['Method', ...s.ks.map((k) => `k = ${k}`)],
    rows: [
      ...s.sweep.map(({ method, points }) => [
        METHOD_LABELS[method],
        ...s.ks.map((k) => {
          const p = points.find((q) => q.k === k);
          return p ? meanStd(p.mean, p.std, p.seeds) : '—';
        }),
      ]),
      ...s.references.map((r) => [
        `${METHOD_LABELS[r.method]} (reference)`,
        ...s.ks.map(() => meanStd(r.mean, r.std, r.seeds)),
      ]),
    ],
  };
}

/** The (method, k) pairs present, in method order. */
function methodBudgets(s: ResultsSummary): { method: Method; k: number | undefined }[] {
  return s.methods.flatMap((method) =>
    [...new Set(s.cells.filter((c) => c.method === method).map((c) => c.k))].map((k) => ({ method, k })),
  );
}

const pair = (examples: number, tokens: number) => `${fmtCount(examples)} / ${fmtCount(tokens)}`;

/** Examples and tokens each method had access to per task, and in total. */
export function usageTable(s: ResultsSummary): Table {
  const rows = methodBudgets(s).map(({ method, k }) => {
    const cells = s.taskIds.map((t) => cellOf(s, method, t, k));
    const present = cells.filter((c) => c !== undefined);
    return [
      methodLabel(method, k),
      ...cells.map((c) => (c ? pair(c.examplesUsed, c.tokensUsed) : '—')),
      pair(
        present.reduce((a, c) => a + c.examplesUsed, 0),
        present.reduce((a, c) => a + c.tokensUsed, 0),
      ),
    ];
  });
  return {
    title: 'Data used per task',
    note:
      'Distinct training examples / their tokens (prompt + target) each method had access to for the task, mean ' +
      'over seeds; Total sums the tasks. What it actually trained on is in the next table.',
    header: ['Method', ...s.taskIds, 'Total'],
    rows,
  };
}

/** Examples and tokens each method actually trained on, beside the totals it had access to. */
export function trainedTable(s: ResultsSummary): Table {
  const rows = methodBudgets(s).map(({ method, k }) => {
    const cells = s.taskIds.map((t) => cellOf(s, method, t, k));
    const present = cells.filter((c) => c !== undefined);
    const known = present.filter((c) => c.examplesTrained !== undefined);
    const accessExamples = present.reduce((a, c) => a + c.examplesUsed, 0);
    const accessTokens = present.reduce((a, c) => a + c.tokensUsed, 0);
    // One total over the tasks (multi-task LoRA) or the sum of per-task counts, when every task has one.
    const all = known.find((c) => c.trainedScope === 'all-tasks');
    const total = all
      ? { examples: all.examplesTrained!, tokens: all.tokensTrained! }
      : known.length === present.length && present.length > 0
        ? {
            examples: known.reduce((a, c) => a + c.examplesTrained!, 0),
            tokens: known.reduce((a, c) => a + c.tokensTrained!, 0),
          }
        : null;
    return [
      methodLabel(method, k),
      ...cells.map((c) =>
        c?.examplesTrained !== undefined && c.trainedScope === 'task' ? pair(c.examplesTrained, c.tokensTrained!) : '—',
      ),
      total ? pair(total.examples, total.tokens) : '—',
      pair(accessExamples, accessTokens),
      total && accessExamples > 0 ? `${((100 * total.examples) / accessExamples).toFixed(1)} %` : '—',
    ];
  });
  return {
    title: 'Data actually trained on',
    note: s.hasCells
      ? 'Distinct examples / their tokens in the minibatches a method trained on up to its selected checkpoint, ' +
        'mean over seeds, beside the totals it had access to (previous table). Multi-task LoRA reports one total ' +
        'over all tasks (— per task). The base model trains on nothing. —: not recorded by the training run.'
      : 'Unavailable: these results have no eval-cells artifact (written by eval since trained counts were added).',
    header: ['Method', ...s.taskIds, 'Total trained', 'Total access', 'Trained / access (examples)'],
    rows: s.hasCells ? rows : [],
  };
}

/** Every sanity check, per (k, seed) cell, with pass / FAIL. */
export function sanityTable(checks: readonly SanityCheck[]): Table {
  const failed = checks.filter((c) => c.passed === false).length;
  const na = checks.filter((c) => c.passed === null).length;
  return {
    title: 'Sanity checks',
    note:
      `${checks.length} checks: ${checks.length - failed - na} pass, ${failed} FAIL, ${na} not applicable. ` +
      'train-loss-falls: each baseline’s last training-step loss is below its first; MeTA-LoRA’s mean query loss ' +
      'after adaptation over the last 10 % of meta-iterations is below that over the first 10 %. ' +
      'beats-majority-class: full-data single-task LoRA scores above the majority-class rate of each classification ' +
      'task. adaptation-lowers-support-loss: stage-1 adaptation lowers the task’s mean support loss (whole support ' +
      `set, eval mode). Failed checks flag their cells (${FLAG.trim()}) in the score and comparison tables.`,
    header: ['Check', 'k', 'Seed', 'Method', 'Task', 'Values', 'Result'],
    rows: checks.map((c) => [
      c.check,
      c.k === undefined ? '—' : String(c.k),
      String(c.seed),
      c.subject,
      c.taskId === '*' ? 'all' : c.taskId,
      c.detail,
      c.passed === null ? 'n/a' : c.passed ? 'pass' : `FAIL${FLAG}`,
    ]),
  };
}

/** Mean target-token loss (nats per token). */
export function lossTable(s: ResultsSummary): Table {
  const rows = s.methods.flatMap((method) => {
    const ks = [...new Set(s.cells.filter((c) => c.method === method).map((c) => c.k))];
    return ks.map((k) => [
      methodLabel(method, k),
      ...s.taskIds.map((t) => {
        const c = cellOf(s, method, t, k);
        return c ? c.targetLoss.toFixed(3) : '—';
      }),
    ]);
  });
  return {
    title: 'Target-token loss',
    note: 'Token-weighted mean negative log-likelihood of the test targets (nats per token, lower is better), mean over seeds.',
    header: ['Method', ...s.taskIds],
    rows,
  };
}

/** One line per training-curve series: points and the last value. */
export function curvesTable(curves: readonly TrainingCurves[]): Table {
  return {
    title: 'Training curves',
    note:
      curves.length === 0
        ? 'No JSONL metric logs with loss fields were found in the run directory.'
        : 'Loss series read from the JSONL metric logs of the run directory.',
    header: ['Log', 'Series', 'Points', 'First', 'Last'],
    rows: curves.flatMap((c) =>
      c.series.map((s) => [
        c.file,
        s.name,
        String(s.points.length),
        s.points[0]!.y.toFixed(4),
        s.points[s.points.length - 1]!.y.toFixed(4),
      ]),
    ),
  };
}

function fmtCount(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
