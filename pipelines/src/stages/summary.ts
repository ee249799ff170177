/** Stage `summary` (the `pipeline` task): lists what the run directory holds after the stages that ran. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedExperiment } from '../experiment.ts';

export async function runSummaryStage(exp: LoadedExperiment, log: (line: string) => void): Promise<void> {
  log(`run directory: ${exp.runDir}`);
  for (const stage of ['data', 'train', 'adapt', 'eval', 'report']) {
    const dir = join(exp.runDir, stage);
    if (!existsSync(dir)) continue;
    log(`  ${stage}/: ${readdirSync(dir).sort().join(', ')}`);
  }
}
