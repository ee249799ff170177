/**
 * The report's tables as plain data (header + rows of cell strings), shared by the Markdown and HTML renderers so
 * the two always show the same numbers.
 */
import { METHOD_LABELS, type Method } from './conditions.ts';
import type { CellSummary, ResultsSummary } from './summarize.ts';
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

/** Primary-metric scores at budget k, with a macro-average column. */
export function scoreTable(s: ResultsSummary, k: number | undefined): Table {
  const rows = rowsAtK(s, k).map(({ method, k: mk }) => {
    const cells = s.taskIds.map((t) => cellOf(s, method, t, mk));
    const present = cells.filter((c) => c !== undefined);
    const avg = present.length === s.taskIds.length ? present.reduce((a, c) => a + c.mean, 0) / present.length : null;
    return [
      methodLabel(method, mk),
      ...cells.map((c) => (c ? meanStd(c.mean, c.std, c.seeds) : '—')),
      avg === null ? '—' : avg.toFixed(1),
    ];
  });
  return {
    title: k === undefined ? 'Scores' : `Scores at k = ${k}`,
    note:
      'Primary metric per task in percent (classification: accuracy of log-likelihood label scoring; generation: ' +
      'normalised exact match; translation: chrF), mean ± sample std over seeds. Methods without a k budget ' +
      '(zero-shot, full data) are repeated in every table.',
    header: ['Method', ...s.taskIds.map((t) => `${t} (${metricOf(s, t)})`), 'Mean'],
    rows,
  };
}

/** MeTA-LoRA against every baseline, paired over tasks. */
export function comparisonTable(s: ResultsSummary): Table | null {
  if (s.comparisons.length === 0) return null;
  const ref = s.comparisons[0]!.reference;
  return {
    title: `${METHOD_LABELS[ref]} vs baselines`,
    note:
      'Paired over tasks (each task contributes its seed-mean score): mean difference in percentage points ' +
      '(positive: MeTA-LoRA better), wins / losses / ties, and the two-sided exact sign-test p-value (ties dropped).',
    header: ['Baseline', 'MeTA-LoRA k', 'Tasks', 'Δ mean (points)', 'W / L / T', 'Sign-test p'],
    rows: s.comparisons.map((c) => [
      methodLabel(c.baseline, c.baselineK),
      c.k === undefined ? '—' : String(c.k),
      String(c.n),
      `${c.meanDifference >= 0 ? '+' : ''}${c.meanDifference.toFixed(1)}`,
      `${c.wins} / ${c.losses} / ${c.ties}`,
      c.signTestP < 0.001 ? c.signTestP.toExponential(1) : c.signTestP.toFixed(3),
    ]),
  };
}

/** Task-averaged score per k for the k-shot methods, with the methods without k as reference rows. */
export function sweepTable(s: ResultsSummary): Table | null {
  if (s.ks.length === 0) return null;
  const seeds = s.seeds.length;
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
          return p ? meanStd(p.mean, p.std, seeds) : '—';
        }),
      ]),
      ...s.references.map((r) => [
        `${METHOD_LABELS[r.method]} (reference)`,
        ...s.ks.map(() => meanStd(r.mean, r.std, seeds)),
      ]),
    ],
  };
}

/** Examples and tokens each method used per task. */
export function usageTable(s: ResultsSummary): Table {
  const rows = s.methods.flatMap((method) => {
    const ks = [...new Set(s.cells.filter((c) => c.method === method).map((c) => c.k))];
    return ks.map((k) => [
      methodLabel(method, k),
      ...s.taskIds.map((t) => {
        const c = cellOf(s, method, t, k);
        return c ? `${fmtCount(c.examplesUsed)} / ${fmtCount(c.tokensUsed)}` : '—';
      }),
    ]);
  });
  return {
    title: 'Data used per task',
    note: 'Distinct training examples / their tokens (prompt + target) each method used for the task, mean over seeds.',
    header: ['Method', ...s.taskIds],
    rows,
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
