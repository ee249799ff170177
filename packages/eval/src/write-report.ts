/**
 * `writeReport(runDir)`: reads `RUN_DIR/eval-results.arrow` (kind, schema version and content hash checked), the
 * `eval-cells.arrow` and `eval-examples.arrow` beside it when they exist (older runs have neither: the report then
 * says that the intervals and trained counts are unavailable), and the run's JSONL metric logs, then writes
 * `RUN_DIR/report.md` and `RUN_DIR/report.html` atomically. Every input is read and checked before either file is
 * written, so a bad input never leaves a partial report.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ArtifactKind, MetaLoraError, readArtifact, writeFileAtomic } from '@meta-lora/artifacts';
import { EVAL_CELLS_FILE, EvalCellsArtifact } from './cells-artifact.ts';
import type { IntervalOptions } from './comparison-intervals.ts';
import { EVAL_EXAMPLES_FILE, EvalExamplesArtifact } from './examples-artifact.ts';
import { renderReport } from './render-report.ts';
import { EVAL_RESULTS_FILE, EvalResultsArtifact } from './results-artifact.ts';
import type { SanityRun } from './sanity-checks.ts';
import { readTrainingCurves, type TrainingCurves } from './training-curves.ts';
import type { RunTuning } from './tuning-table.ts';

export const REPORT_MARKDOWN_FILE = 'report.md';
export const REPORT_HTML_FILE = 'report.html';

export interface WrittenReport {
  readonly markdownPath: string;
  readonly htmlPath: string;
  /** Rows of the results the report shows. */
  readonly rows: number;
}

export interface WriteReportOptions {
  /** The `eval-results` artifact (default `RUN_DIR/eval-results.arrow`). */
  readonly resultsPath?: string;
  /** Where the report goes (default the run directory). */
  readonly outDir?: string;
  /** The `eval-cells` artifact (default `eval-cells.arrow` beside the results; skipped when absent). */
  readonly cellsPath?: string;
  /** The `eval-examples` artifact (default `eval-examples.arrow` beside the results; skipped when absent). */
  readonly examplesPath?: string;
  /** Training records of each (k, seed) run, for the sanity checks (the pipeline reads them). */
  readonly sanity?: readonly SanityRun[];
  /** What dev selection chose in each (k, seed) run (the pipeline reads `meta-tuning.arrow` and `baselines.arrow`). */
  readonly tuning?: readonly RunTuning[];
  /** Bootstrap replicates and seed (default 2,000 and 0). */
  readonly bootstrap?: IntervalOptions;
  /** A line shown under the report's title (e.g. an interim study's missing cells). */
  readonly notice?: string;
  /** The training curves to show (default: those of the JSONL metric logs under the run directory). */
  readonly curves?: readonly TrainingCurves[];
  /**
   * Another study to compare with (`ReportInput.against`): its name and merged `eval-results` artifact, read with the
   * `eval-examples` beside it when present.
   */
  readonly against?: { readonly name: string; readonly resultsPath: string; readonly missing?: readonly string[] };
}

/**
 * @example
 * const { htmlPath } = writeReport('runs/multitask-0'); // runs/multitask-0/report.html
 */
export function writeReport(runDir: string, options: WriteReportOptions = {}): WrittenReport {
  const resultsPath = options.resultsPath ?? join(runDir, EVAL_RESULTS_FILE);
  if (!existsSync(resultsPath)) {
    throw new MetaLoraError('IO_FAILED', `no ${EVAL_RESULTS_FILE} to report on`, {
      path: resultsPath,
      fix: `run \`meta-lora eval --run ${runDir}\` first (it writes ${EVAL_RESULTS_FILE} into the run directory)`,
    });
  }
  const results = readArtifact(resultsPath, EvalResultsArtifact);
  if (results.rows.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', 'the eval-results artifact has no rows', {
      path: resultsPath,
      fix: 'rerun `meta-lora eval` with at least one condition and one task',
    });
  }
  const resultsId = results.lineage.artifactId;
  const cells = readCompanion(
    options.cellsPath ?? join(dirname(resultsPath), EVAL_CELLS_FILE),
    EvalCellsArtifact,
    resultsId,
  );
  const examples = readCompanion(
    options.examplesPath ?? join(dirname(resultsPath), EVAL_EXAMPLES_FILE),
    EvalExamplesArtifact,
    resultsId,
  );
  const curves = options.curves ?? readTrainingCurves(runDir);
  const against = options.against ? readAgainst(options.against) : undefined;
  const { markdown, html } = renderReport({
    rows: results.rows,
    resultsId,
    curves,
    ...(cells ? { cells } : {}),
    ...(examples ? { examples } : {}),
    ...(options.sanity ? { sanity: options.sanity } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
    ...(options.notice ? { notice: options.notice } : {}),
    ...(against ? { against } : {}),
  });
  const outDir = options.outDir ?? runDir;
  mkdirSync(outDir, { recursive: true });
  const markdownPath = join(outDir, REPORT_MARKDOWN_FILE);
  const htmlPath = join(outDir, REPORT_HTML_FILE);
  writeFileAtomic(markdownPath, markdown);
  writeFileAtomic(htmlPath, html);
  return { markdownPath, htmlPath, rows: results.rows.length };
}

/** The other study's results and, when present beside them, its per-example rows. */
function readAgainst({ name, resultsPath, missing }: NonNullable<WriteReportOptions['against']>) {
  const results = readArtifact(resultsPath, EvalResultsArtifact);
  const examples = readCompanion(
    join(dirname(resultsPath), EVAL_EXAMPLES_FILE),
    EvalExamplesArtifact,
    results.lineage.artifactId,
  );
  return { name, rows: results.rows, ...(examples ? { examples } : {}), ...(missing ? { missing } : {}) };
}

/**
 * The rows of a companion artifact of the results (`eval-cells`, `eval-examples`), or undefined when the file does not
 * exist. One written for other results (its parents do not name them) is refused rather than mixed in.
 */
function readCompanion<Row>(path: string, kind: ArtifactKind<Row>, resultsId: string): Row[] | undefined {
  if (!existsSync(path)) return undefined;
  const { rows, lineage } = readArtifact(path, kind);
  if (!lineage.parents.includes(resultsId)) {
    throw new MetaLoraError('ARTIFACT_INVALID', `${kind.kind} artifact belongs to other eval-results`, {
      path,
      field: 'parents',
      value: lineage.parents,
      fix: `rerun eval so that both are written together, or delete ${path} (the report then goes without it)`,
    });
  }
  return rows;
}
