/**
 * Stage `report`: the Markdown summary and the self-contained HTML report of the run, with the sanity checks of its
 * training records (`readSanityRun`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ArtifactKind,
  MetaLoraError,
  readArtifact,
  readArtifactInfo,
  readJsonLines,
  showValue,
} from '@meta-lora/artifacts';
import { type MetaIterationLoss, type RunTuning, type SanityRun, writeReport } from '@meta-lora/eval';
import { ADAPTATION_FILE, AdaptationArtifact } from '@meta-lora/stage1-adapt';
import { BaselinesArtifact, candidateDir, META_TUNING_FILE, MetaTuningArtifact } from '@meta-lora/stage2-meta';
import type { LoadedExperiment } from '../experiment.ts';
import { stageDir } from '../run-dir.ts';

export async function runReportStage(exp: LoadedExperiment, log: (line: string) => void): Promise<void> {
  const { markdownPath, htmlPath } = writeReport(exp.runDir, {
    resultsPath: join(stageDir(exp, 'eval'), 'eval-results.arrow'),
    outDir: stageDir(exp, 'report'),
    sanity: [readSanityRun(exp)],
    tuning: [readTuningRun(exp)],
  });
  log(`report: ${markdownPath}\n        ${htmlPath}`);
}

/**
 * The training records of a run for the report's sanity checks, at the run's k and seed: `train/baselines.arrow`,
 * the `metrics.jsonl` of the meta-training candidate that was selected (`train/meta-tuning.arrow`; the train
 * directory itself without a grid) and `adapt/adaptation.arrow`. A record that is missing, or written by an older
 * schema version (a run from before it existed), is left out, and its checks show as not applicable.
 *
 * @example
 * writeReport(dir, { sanity: [readSanityRun(exp)] });
 */
export function readSanityRun(exp: LoadedExperiment): SanityRun {
  const train = stageDir(exp, 'train');
  const baselines = readIfCurrent(join(train, 'baselines.arrow'), BaselinesArtifact);
  const adaptation = readIfCurrent(join(stageDir(exp, 'adapt'), ADAPTATION_FILE), AdaptationArtifact);
  const log = selectedMetaLog(exp);
  return {
    k: exp.config.data.k,
    seed: exp.config.data.seed,
    ...(baselines ? { baselines } : {}),
    ...(existsSync(log) ? { metaIterations: readMetaIterations(log) } : {}),
    ...(adaptation ? { adaptation } : {}),
  };
}

/**
 * What dev selection chose in a run: `train/meta-tuning.arrow` and `train/baselines.arrow` (absent ones left out).
 *
 * @example
 * writeReport(dir, { tuning: [readTuningRun(exp)] });
 */
export function readTuningRun(exp: LoadedExperiment): RunTuning {
  const train = stageDir(exp, 'train');
  const metaTuning = readIfCurrent(join(train, META_TUNING_FILE), MetaTuningArtifact);
  const baselines = readIfCurrent(join(train, 'baselines.arrow'), BaselinesArtifact);
  return {
    k: exp.config.data.k,
    seed: exp.config.data.seed,
    ...(metaTuning ? { metaTuning } : {}),
    ...(baselines ? { baselines } : {}),
  };
}

/** The `metrics.jsonl` of the evaluated MeTA-LoRA candidate (in the train directory itself without a grid). */
export function selectedMetaLog(exp: LoadedExperiment): string {
  const train = stageDir(exp, 'train');
  const tuning = readIfCurrent(join(train, META_TUNING_FILE), MetaTuningArtifact);
  const selected = tuning?.find((r) => r.selected);
  if (!selected) return join(train, 'metrics.jsonl');
  const { baselineMethods: _, ...config } = exp.config.train;
  return join(candidateDir(train, config, selected.candidate), 'metrics.jsonl');
}

/** An artifact's rows, or undefined when the file is absent or of an older schema version than `kind`. */
function readIfCurrent<Row>(path: string, kind: ArtifactKind<Row>): Row[] | undefined {
  if (!existsSync(path) || readArtifactInfo(path).schemaVersion < kind.schemaVersion) return undefined;
  return readArtifact(path, kind).rows;
}

/**
 * `iteration` and `queryLossAfter` of each line of stage2-meta's `metrics.jsonl`. A diverged loss is written as
 * `null` by JSON and read as NaN, so the check fails on it rather than the report.
 *
 * @example
 * readMetaIterations('runs/x/train/metrics.jsonl'); // [{ iteration: 0, queryLossAfter: 3.1 }, …]
 */
export function readMetaIterations(path: string): MetaIterationLoss[] {
  return readJsonLines(path).map(({ line, text, value }) => {
    const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const { iteration, queryLossAfter } = record;
    if (typeof iteration !== 'number' || (typeof queryLossAfter !== 'number' && queryLossAfter !== null)) {
      throw new MetaLoraError(
        'DATA_INVALID',
        `meta-training log line has no numeric iteration and queryLossAfter: ${showValue(text)}`,
        { path, line, fix: 'metrics.jsonl is written by stage2-meta; rerun training or repair the line' },
      );
    }
    return { iteration, queryLossAfter: queryLossAfter ?? Number.NaN };
  });
}
