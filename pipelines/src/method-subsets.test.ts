/**
 * Any subset of methods runs end to end (issue #19): the smoke experiment with no baseline, and with one baseline and
 * a few evaluation methods, through every stage in this process (data, train, adapt, eval, report) into a scratch run
 * directory. Eval scores exactly the methods the experiment resolves to, and the report is written.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readArtifact } from '@meta-lora/artifacts';
import { EvalResultsArtifact } from '@meta-lora/eval';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS_DIR, type LoadedExperiment, loadExperiment } from './experiment.ts';
import { runAdaptStage } from './stages/adapt.ts';
import { runDataStage } from './stages/data.ts';
import { runEvalStage } from './stages/eval.ts';
import { runReportStage } from './stages/report.ts';
import { runTrainStage } from './stages/train.ts';

/** The smoke experiment with fields of train.json and eval.json replaced, run in a scratch directory. */
function smokeWith(fields: { train?: object; eval?: object }): LoadedExperiment {
  const root = tempDir('method-subsets');
  cpSync(join(EXPERIMENTS_DIR, 'smoke'), join(root, 'smoke'), { recursive: true });
  for (const [stage, replaced] of Object.entries(fields)) {
    const path = join(root, 'smoke', `${stage}.json`);
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), ...replaced }));
  }
  return { ...loadExperiment('smoke', root), runDir: join(root, 'run') };
}

/** Runs every stage, then returns the methods eval scored. */
async function runEndToEnd(exp: LoadedExperiment): Promise<string[]> {
  for (const stage of [runDataStage, runTrainStage, runAdaptStage, runEvalStage, runReportStage]) {
    await stage(exp, () => {});
  }
  expect(existsSync(join(exp.runDir, 'report', 'report.md'))).toBe(true);
  const { rows } = readArtifact(join(exp.runDir, 'eval', 'eval-results.arrow'), EvalResultsArtifact);
  return [...new Set(rows.map((r) => r.method))].sort();
}

describe('an experiment with any subset of methods runs end to end', () => {
  it('without baselines: the methods that need none', { timeout: 900_000 }, async () => {
    const exp = smokeWith({ train: { baselineMethods: [] } });
    expect(await runEndToEnd(exp)).toEqual([
      'base-in-context',
      'base-zero-shot',
      'meta-lora-adapted',
      'meta-lora-shared',
    ]);
    expect(existsSync(join(exp.runDir, 'train', 'baselines.arrow'))).toBe(false);
  });

  it('with one baseline and three evaluation methods: those three', { timeout: 900_000 }, async () => {
    const methods = ['base-zero-shot', 'meta-lora-adapted', 'multi-task-lora-k-shot'];
    const exp = smokeWith({ train: { baselineMethods: ['multi-task-pool'] }, eval: { methods } });
    expect(await runEndToEnd(exp)).toEqual(methods);
  });
});
