/**
 * Entry point of the turbo tasks: `tsx src/run-stage.ts <stage> [--run-dir DIR]` runs one stage of the experiment named
 * by META_LORA_EXPERIMENT, in its run directory `runs/<name>` or in DIR (a scratch run outside the turbo cache; the
 * fault-injection suite runs there). The whole experiment is validated first, so a bad file stops the run before any
 * work.
 */
import { resolve } from 'node:path';
import { isMetaLoraError, tuneHeap, withRunLock } from '@meta-lora/artifacts';
import { experimentName, loadExperiment } from './experiment.ts';
import { withStudyChoices } from './hyper-parameters.ts';
import { runAdaptStage } from './stages/adapt.ts';
import { runDataStage } from './stages/data.ts';
import { runEvalStage } from './stages/eval.ts';
import { runReportStage } from './stages/report.ts';
import { runSummaryStage } from './stages/summary.ts';
import { runTrainStage } from './stages/train.ts';

tuneHeap();

const STAGES = {
  data: runDataStage,
  train: runTrainStage,
  adapt: runAdaptStage,
  eval: runEvalStage,
  report: runReportStage,
  summary: runSummaryStage,
} as const;

async function main([stage, ...rest]: string[]): Promise<number> {
  const run = STAGES[stage as keyof typeof STAGES];
  const runDir = rest[0] === '--run-dir' && rest.length === 2 ? resolve(rest[1] as string) : undefined;
  if (!run || (rest.length > 0 && runDir === undefined)) {
    process.stderr.write(
      `run-stage: usage: run-stage.ts <stage> [--run-dir DIR], stage one of ${Object.keys(STAGES).join(', ')}; got ${JSON.stringify([stage, ...rest].join(' '))}\n`,
    );
    return 2;
  }
  try {
    const log = (line: string) => process.stdout.write(`${line}\n`);
    const experiment = loadExperiment(experimentName());
    const loaded = runDir === undefined ? experiment : { ...experiment, runDir };
    log(`meta-lora pipeline: experiment ${loaded.name}, stage ${stage}`);
    await withRunLock(loaded.runDir, `pipeline ${stage}`, () =>
      run(stage === 'data' ? loaded : withStudyChoices(loaded, log), log),
    );
    return 0;
  } catch (error) {
    if (isMetaLoraError(error)) {
      process.stderr.write(`meta-lora pipeline (${stage}): error [${error.code}]: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
