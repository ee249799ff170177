/**
 * Renders the evaluation report as Markdown and as one self-contained HTML page: inline CSS, inline SVG charts, no
 * scripts, no network. Both are pure functions of the results and curves (no clock, no absolute paths), so equal
 * inputs give byte-identical files.
 */
import { isMetaLoraError, MetaLoraError } from '@meta-lora/artifacts';
import type { EvalCellRow } from './cells-artifact.ts';
import type { IntervalOptions } from './comparison-intervals.ts';
import { METHOD_LABELS, type Method } from './conditions.ts';
import type { EvalExampleRow } from './examples-artifact.ts';
import { familyTable } from './family-table.ts';
import { headline } from './headline.ts';
import { macroF1Table } from './macro-f1-table.ts';
import {
  baselineCheckTable,
  budgets,
  comparisonTable,
  curvesTable,
  lossTable,
  methodLabel,
  rowsAtK,
  sanityTable,
  scoreTable,
  sweepTable,
  type Table,
  trainedTable,
  usageTable,
} from './report-tables.ts';
import type { EvalResultRow } from './results-artifact.ts';
import { type SanityCheck, type SanityRun, sanityChecks } from './sanity-checks.ts';
import { studyDifferences, studyDifferenceTable } from './study-difference.ts';
import { type ResultsSummary, summarizeResults } from './summarize.ts';
import { barChart, escapeXml, lineChart, PALETTE } from './svg-charts.ts';
import type { TrainingCurves } from './training-curves.ts';
import { type RunTuning, tuningTable } from './tuning-table.ts';

export interface ReportInput {
  readonly rows: readonly EvalResultRow[];
  /** artifactId of the `eval-results` artifact the rows came from. */
  readonly resultsId: string;
  readonly curves: readonly TrainingCurves[];
  /** The results' `eval-cells` rows (majority-class rates, data trained on); absent for older runs. */
  readonly cells?: readonly EvalCellRow[];
  /** The results' `eval-examples` rows (bootstrap intervals); absent for older runs. */
  readonly examples?: readonly EvalExampleRow[];
  /** Training records of each (k, seed) run, for the sanity checks. */
  readonly sanity?: readonly SanityRun[];
  /** What dev selection chose in each (k, seed) run (the "Selected hyper-parameters" table). */
  readonly tuning?: readonly RunTuning[];
  /** Bootstrap replicates and seed (default 2,000 and 0). */
  readonly bootstrap?: IntervalOptions;
  /** A line shown under the title, before the results (e.g. an interim study's missing cells). */
  readonly notice?: string;
  /**
   * Another study's results on the same tasks and test examples (the study a follow-up changes one setting of): the
   * report then gives each method here minus the same method there (`studyDifferences`).
   */
  readonly against?: {
    readonly name: string;
    readonly rows: readonly EvalResultRow[];
    readonly examples?: readonly EvalExampleRow[];
    /** The other study's cells that were not there to read, named in the section (e.g. `k = 32 seed 2`). */
    readonly missing?: readonly string[];
  };
}

export interface RenderedReport {
  readonly markdown: string;
  readonly html: string;
}

/** Fixed colours per method (Okabe–Ito): MeTA-LoRA in the warm, strongest hues; the base model in grey. */
const METHOD_COLORS: Record<Method, string> = {
  'base-zero-shot': '#999999',
  'base-in-context': '#56B4E9',
  'single-task-lora': '#009E73',
  'multi-task-lora-full': '#0072B2',
  'multi-task-lora-k-shot': '#CC79A7',
  'meta-lora-shared': '#E69F00',
  'meta-lora-adapted': '#D55E00',
};
const methodColor = (m: Method) => METHOD_COLORS[m];

/**
 * @example
 * const { markdown, html } = renderReport({ rows, resultsId: lineage.artifactId, curves: readTrainingCurves(runDir) });
 */
export function renderReport(input: ReportInput): RenderedReport {
  const s = summarizeResults(input.rows, {
    ...(input.cells ? { cells: input.cells } : {}),
    ...(input.examples ? { examples: input.examples } : {}),
    ...(input.bootstrap ? { bootstrap: input.bootstrap } : {}),
  });
  const checks = sanityChecks(input.sanity ?? [], input.rows, input.cells);
  const tables = {
    ...reportTables(s, input.rows, input.curves, checks),
    tuning: input.tuning ? tuningTable(input.tuning) : null,
    against: input.against ? againstTable(input, input.against) : null,
  };
  return { markdown: renderMarkdown(s, input, tables), html: renderHtml(s, input, tables) };
}

/** This report's results against another study's (`ReportInput.against`), with the report's bootstrap settings. */
function againstTable(input: ReportInput, other: NonNullable<ReportInput['against']>): Table {
  const here = { rows: input.rows, examples: input.examples ?? [] };
  const there = { rows: other.rows, examples: other.examples ?? [] };
  try {
    return studyDifferenceTable(studyDifferences(here, there, input.bootstrap ?? {}), other.name, other.missing);
  } catch (error) {
    if (!isMetaLoraError(error)) throw error;
    // The first line of the message names the place (path included); the fix is replaced by one for the comparison.
    const { path: _, fix: __, ...details } = error.details;
    const head = error.message.split('\n')[0];
    throw new MetaLoraError(error.code, `comparing with the ${other.name} study: ${head}`, {
      ...details,
      fix: 'compare studies scored on the same test examples (the same suite, tasks and maxTestExamplesPerTask)',
    });
  }
}

interface Sections {
  readonly scores: readonly { k: number | undefined; table: Table }[];
  readonly comparison: Table | null;
  readonly baselineCheck: Table | null;
  readonly sweep: Table | null;
  readonly macroF1: Table | null;
  readonly families: Table | null;
  readonly usage: Table;
  readonly trained: Table;
  readonly sanity: Table;
  readonly tuning?: Table | null;
  readonly against?: Table | null;
  readonly failedChecks: number;
  readonly loss: Table;
  readonly curves: Table;
}

function reportTables(
  s: ResultsSummary,
  rows: readonly EvalResultRow[],
  curves: readonly TrainingCurves[],
  checks: readonly SanityCheck[],
): Sections {
  return {
    scores: budgets(s).map((k) => ({ k, table: scoreTable(s, k, checks) })),
    comparison: comparisonTable(s, checks),
    baselineCheck: baselineCheckTable(s),
    sweep: sweepTable(s),
    macroF1: macroF1Table(rows),
    families: familyTable(s, rows),
    usage: usageTable(s),
    trained: trainedTable(s),
    sanity: sanityTable(checks),
    failedChecks: checks.filter((c) => c.passed === false).length,
    loss: lossTable(s),
    curves: curvesTable(curves),
  };
}

function overview(s: ResultsSummary, input: ReportInput, t: Sections): string {
  return (
    `${input.rows.length} results (\`eval-results\` ${input.resultsId.slice(0, 12)}): ${s.taskIds.length} tasks, ` +
    `${s.methods.length} methods, seeds ${s.seeds.join(', ')}` +
    (s.ks.length > 0 ? `, k ∈ {${s.ks.join(', ')}}.` : '.') +
    (t.failedChecks > 0
      ? ` ${t.failedChecks} sanity check${t.failedChecks > 1 ? 's' : ''} FAIL (see Sanity checks).`
      : '')
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

function renderMarkdown(s: ResultsSummary, input: ReportInput, t: Sections): string {
  const answer = headline(s);
  const out = [
    '# MeTA-LoRA evaluation report',
    '',
    ...(input.notice ? [`> ${input.notice}`, ''] : []),
    ...(answer ? [`**${answer}**`, ''] : []),
    overview(s, input, t),
    '',
  ];
  const section = (table: Table) => {
    out.push(`## ${table.title}`, '', table.note, '', mdTable(table), '');
  };
  for (const { table } of t.scores) section(table);
  if (t.comparison) section(t.comparison);
  if (t.against) section(t.against);
  if (t.baselineCheck) section(t.baselineCheck);
  if (t.sweep) section(t.sweep);
  if (t.families) section(t.families);
  if (t.macroF1) section(t.macroF1);
  section(t.usage);
  section(t.trained);
  if (t.tuning) section(t.tuning);
  section(t.sanity);
  section(t.loss);
  section(t.curves);
  out.push('The HTML report (report.html) has the same tables with charts.', '');
  return out.join('\n');
}

function mdTable(table: Table): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const lines = [
    `| ${table.header.map(esc).join(' | ')} |`,
    `| ${table.header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  return table.rows.length === 0 ? '(no rows)' : lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// HTML

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
p.note { color: #555; font-size: .9rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; position: sticky; left: 0; background: #fff; }
thead th:first-child { background: #f3f5f7; }
div.table-scroll { overflow-x: auto; max-width: 100%; }
p.answer { font-size: 1.05rem; font-weight: 600; }
p.notice { border-left: 4px solid #E69F00; background: #fff8e6; padding: .4rem .8rem; }
thead th { background: #f3f5f7; }
tbody tr:nth-child(even), tbody tr:nth-child(even) td:first-child { background: #fafafa; }
figure { margin: 1rem 0; overflow-x: auto; } svg.chart { max-width: 100%; height: auto; background: #fff; }
`.trim();

function renderHtml(s: ResultsSummary, input: ReportInput, t: Sections): string {
  const answer = headline(s);
  const body: string[] = [
    `<h1>MeTA-LoRA evaluation report</h1>`,
    ...(input.notice ? [`<p class="notice">${inlineCode(input.notice)}</p>`] : []),
    ...(answer ? [`<p class="answer">${escapeXml(answer)}</p>`] : []),
    `<p>${inlineCode(overview(s, input, t))}</p>`,
  ];
  for (const { k, table } of t.scores) {
    body.push(htmlSection(table, scoreChart(s, k, table.title)));
  }
  if (t.comparison) body.push(htmlSection(t.comparison));
  if (t.against) body.push(htmlSection(t.against));
  if (t.baselineCheck) body.push(htmlSection(t.baselineCheck));
  if (t.sweep) body.push(htmlSection(t.sweep, sweepChart(s)));
  if (t.families) body.push(htmlSection(t.families));
  if (t.macroF1) body.push(htmlSection(t.macroF1));
  body.push(htmlSection(t.usage), htmlSection(t.trained));
  if (t.tuning) body.push(htmlSection(t.tuning));
  body.push(htmlSection(t.sanity), htmlSection(t.loss));
  body.push(htmlSection(t.curves, ...input.curves.flatMap(curveCharts)));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network and no scripts: the page is data only.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<title>MeTA-LoRA evaluation report</title>',
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function inlineCode(text: string): string {
  return escapeXml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function htmlSection(table: Table, ...figures: string[]): string {
  const head = `<tr>${table.header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
  const rows = table.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n');
  return [
    `<section>`,
    `<h2>${escapeXml(table.title)}</h2>`,
    `<p class="note">${escapeXml(table.note)}</p>`,
    ...figures.map((f) => `<figure>${f}</figure>`),
    // Wide tables scroll inside their own box; the first (method) column stays in place.
    table.rows.length === 0
      ? ''
      : `<div class="table-scroll"><table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`,
    `</section>`,
  ].join('\n');
}

function scoreChart(s: ResultsSummary, k: number | undefined, title: string): string {
  const series = rowsAtK(s, k).map(({ method, k: mk }) => {
    const cells = s.taskIds.map((t) => s.cells.find((c) => c.method === method && c.taskId === t && c.k === mk));
    return {
      name: methodLabel(method, mk),
      color: methodColor(method),
      values: cells.map((c) => c?.mean ?? null),
      errors: cells.map((c) => (c && c.seeds > 1 ? c.std : null)),
    };
  });
  return barChart({ title: `${title}: method × task`, groups: s.taskIds, series, yLabel: 'score (%)', yMax: 100 });
}

function sweepChart(s: ResultsSummary): string {
  return lineChart({
    title: 'Data efficiency: task-averaged score vs k',
    xLabel: 'k (examples per task, log scale)',
    yLabel: 'score (%)',
    logX: true,
    yMin: 0,
    yMax: 100,
    series: s.sweep.map(({ method, points }) => ({
      name: METHOD_LABELS[method],
      color: methodColor(method),
      points: points.map((p) => ({ x: p.k, y: p.mean, ...(p.std > 0 ? { err: p.std } : {}) })),
    })),
    references: s.references.map((r) => ({
      name: `${METHOD_LABELS[r.method]} (reference)`,
      color: methodColor(r.method),
      y: r.mean,
    })),
  });
}

/** One chart of a log's overall series, and one of its per-task series (names ending in ` (taskId)`) when present. */
function curveCharts(curves: TrainingCurves): string[] {
  const perTask = curves.series.filter((x) => / \([^)]+\)$/.test(x.name));
  const overall = curves.series.filter((x) => !perTask.includes(x));
  const chart = (title: string, series: TrainingCurves['series']) =>
    lineChart({
      title,
      xLabel: curves.xLabel,
      yLabel: 'loss',
      series: series.map((x, i) => ({ name: x.name, color: PALETTE[i % PALETTE.length]!, points: x.points })),
    });
  return [
    ...(overall.length > 0 ? [chart(`Training curves: ${curves.file}`, overall)] : []),
    ...(perTask.length > 0 ? [chart(`Per-task curves: ${curves.file}`, perTask)] : []),
  ];
}
