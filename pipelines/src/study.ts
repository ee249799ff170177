/**
 * The full study: the pipeline at several k (few-shot budgets) and seeds, merged into one results table and one report
 * with the data-efficiency curves. `META_LORA_EXPERIMENT=multitask pnpm study` runs `experiment.json`'s `study` grid.
 *
 * Each (k, seed) variant runs the stages in-process into `runs/<experiment>/study/k<k>-seed<seed>/`; a variant whose
 * results exist is reused, so an interrupted study resumes. The k-independent references (zero-shot and the full-data
 * baselines) are trained and scored once per seed, at the first k.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMetaLoraError } from '@meta-lora/artifacts';
import { type Method, mergeEvalResults, writeReport } from '@meta-lora/eval';
import { experimentName, type LoadedExperiment, loadExperiment } from './experiment.ts';
import { runAdaptStage } from './stages/adapt.ts';
import { runDataStage } from './stages/data.ts';
import { runEvalStage } from './stages/eval.ts';
import { readSanityRun } from './stages/report.ts';
import { runTrainStage } from './stages/train.ts';

const K_INDEPENDENT: readonly Method[] = ['base-zero-shot', 'single-task-lora', 'multi-task-lora-full'];

/** The experiment as it runs at budget `k` with `seed`. */
export function studyVariant(exp: LoadedExperiment, k: number, seed: number, first: boolean): LoadedExperiment {
  const { data, train, eval: evalConfig } = exp.config;
  const supportSize = Math.min(data.episodes.supportSize, Math.max(1, Math.floor(k / 2)));
  const querySize = Math.min(data.episodes.querySize, k - supportSize);
  return {
    ...exp,
    runDir: join(exp.runDir, 'study', `k${k}-seed${seed}`),
    config: {
      ...exp.config,
      data: { ...data, k, seed, episodes: { ...data.episodes, supportSize, querySize } },
      train: { ...train, seed, baselineMethods: first ? train.baselineMethods : ['multi-task-pool'] },
      eval: {
        ...evalConfig,
        methods: first ? evalConfig.methods : evalConfig.methods.filter((m) => !K_INDEPENDENT.includes(m)),
      },
    },
  };
}

export async function runStudy(exp: LoadedExperiment, log: (line: string) => void): Promise<string> {
  const { ks, seeds } = exp.config.experiment.study;
  const parts: string[] = [];
  for (const seed of seeds) {
    for (const [i, k] of ks.entries()) {
      const variant = studyVariant(exp, k, seed, i === 0);
      const results = join(variant.runDir, 'eval', 'eval-results.arrow');
      if (existsSync(results)) {
        log(`k ${k}, seed ${seed}: reusing ${results}`);
      } else {
        log(`k ${k}, seed ${seed}: running data, train, adapt, eval`);
        for (const stage of [runDataStage, runTrainStage, runAdaptStage, runEvalStage]) await stage(variant, log);
      }
      parts.push(results);
    }
  }
  const studyDir = join(exp.runDir, 'study');
  const resultsPath = join(studyDir, 'eval', 'eval-results.arrow');
  // Results, eval-cells and eval-examples of every variant; the variants' training records for the sanity checks.
  const merged = mergeEvalResults(parts, resultsPath, '@meta-lora/pipelines study');
  if (merged.runsWithExamples < parts.length) {
    log(`per-example results in ${merged.runsWithExamples} of ${parts.length} variants: intervals only where present`);
  }
  const sanity = seeds.flatMap((seed) => ks.map((k, i) => readSanityRun(studyVariant(exp, k, seed, i === 0))));
  const { htmlPath } = writeReport(studyDir, { resultsPath, outDir: join(studyDir, 'report'), sanity });
  log(`study report: ${htmlPath}`);
  return htmlPath;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  try {
    await runStudy(loadExperiment(experimentName()), (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    if (!isMetaLoraError(error)) throw error;
    process.stderr.write(`meta-lora study: error [${error.code}]: ${error.message}\n`);
    process.exitCode = 2;
  }
}
