/**
 * `writeReport(runDir)`: reads `RUN_DIR/eval-results.arrow` (kind, schema version and content hash checked) and the
 * run's JSONL metric logs, then writes `RUN_DIR/report.md` and `RUN_DIR/report.html` atomically. Every input is read
 * and checked before either file is written, so a bad input never leaves a partial report.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, readArtifact, writeFileAtomic } from '@meta-lora/artifacts';
import { renderReport } from './render-report.ts';
import { EVAL_RESULTS_FILE, EvalResultsArtifact } from './results-artifact.ts';
import { readTrainingCurves } from './training-curves.ts';

export const REPORT_MARKDOWN_FILE = 'report.md';
export const REPORT_HTML_FILE = 'report.html';

export interface WrittenReport {
  readonly markdownPath: string;
  readonly htmlPath: string;
  /** Rows of the results the report shows. */
  readonly rows: number;
}

/**
 * @example
 * const { htmlPath } = writeReport('runs/multitask-0'); // runs/multitask-0/report.html
 */
export function writeReport(runDir: string, options: { resultsPath?: string; outDir?: string } = {}): WrittenReport {
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
  const curves = readTrainingCurves(runDir);
  const { markdown, html } = renderReport({ rows: results.rows, resultsId: results.lineage.artifactId, curves });
  const outDir = options.outDir ?? runDir;
  mkdirSync(outDir, { recursive: true });
  const markdownPath = join(outDir, REPORT_MARKDOWN_FILE);
  const htmlPath = join(outDir, REPORT_HTML_FILE);
  writeFileAtomic(markdownPath, markdown);
  writeFileAtomic(htmlPath, html);
  return { markdownPath, htmlPath, rows: results.rows.length };
}
