/** Stage `report`: the Markdown summary and the self-contained HTML report of the run. */
import { join } from 'node:path';
import { writeReport } from '@meta-lora/eval';
import type { LoadedExperiment } from '../experiment.ts';
import { stageDir } from '../run-dir.ts';

export async function runReportStage(exp: LoadedExperiment, log: (line: string) => void): Promise<void> {
  const { markdownPath, htmlPath } = writeReport(exp.runDir, {
    resultsPath: join(stageDir(exp, 'eval'), 'eval-results.arrow'),
    outDir: stageDir(exp, 'report'),
  });
  log(`report: ${markdownPath}\n        ${htmlPath}`);
}
