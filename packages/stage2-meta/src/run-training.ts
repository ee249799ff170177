/**
 * Meta-training and the baselines from the data stage's artifacts (`tasks.arrow`, `pool.arrow`, `episodes.arrow`) and
 * a Hugging Face model directory: what `meta-lora train` and the pipeline call. Texts are encoded with the model's
 * tokenizer as `[bos] + input + target + [eos]`, loss on the target (lora-core `encodeExample`).
 *
 * Dev tasks (best checkpoint, early stopping): each task adapts on its whole k-shot pool and is scored on its first
 * `devQuerySize` dev examples (by example id).
 *
 * The baselines train beside meta-training when there are two or more worker threads (see `runTrainingLocked`).
 */

import { join } from 'node:path';
import { MetaLoraError, readArtifact, withRunLock, writeArtifact } from '@meta-lora/artifacts';
import {
  EpisodesArtifact,
  type Example,
  PoolArtifact,
  type PoolRow,
  resolveEpisodes,
  TasksArtifact,
} from '@meta-lora/data-sampling';
import { type ExampleTokenizer, encodeExample, type IdExample, type LlamaModel } from '@meta-lora/lora-core';
import { loadModelSource, type ModelSource, resolveWorkers, type TaskData } from '@meta-lora/stage1-adapt';
import type { BaselineTask } from './baseline-task.ts';
import { trainBaselines } from './baselines.ts';
import type { BaselineMethod, BaselineRow } from './baselines-artifact.ts';
import { type MetaConfig, metaCandidates } from './config.ts';
import type { MetaEpisode } from './meta-episode.ts';
import { type MetaTrainResult, metaTrain } from './meta-train.ts';
import {
  candidateDir,
  META_TUNING_FILE,
  MetaTuningArtifact,
  type MetaTuningRow,
  metaTuningRows,
  writeSelectedAdapter,
} from './meta-tuning.ts';
import { holdsRun, metaRunHash } from './run-identity.ts';

/** Paths of the data stage's artifacts. */
export interface TrainingDataPaths {
  readonly tasks: string;
  readonly pool: string;
  readonly episodes: string;
}

/** Everything stage 2 trains on, encoded to token ids. */
export interface TrainingData {
  readonly episodes: MetaEpisode[];
  readonly devTasks: TaskData[];
  readonly fullTrain: BaselineTask[];
  readonly pool: BaselineTask[];
  /** Artifact ids of tasks, pool and episodes (lineage parents of the outputs). */
  readonly parents: string[];
}

function byTask<T extends { taskId: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.taskId, [...(out.get(r.taskId) ?? []), r]);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Reads and encodes the data stage's artifacts.
 *
 * @example
 * const data = loadTrainingData({ tasks: 'runs/x/tasks.arrow', pool: 'runs/x/pool.arrow', episodes: 'runs/x/episodes.arrow' }, tokenizer, 16);
 */
export function loadTrainingData(
  paths: TrainingDataPaths,
  tokenizer: ExampleTokenizer,
  devQuerySize: number,
): TrainingData {
  const tasks = readArtifact(paths.tasks, TasksArtifact);
  const pool = readArtifact(paths.pool, PoolArtifact);
  const episodes = readArtifact(paths.episodes, EpisodesArtifact);
  const cache = new Map<string, IdExample>();
  const encode = (e: Example | PoolRow): IdExample => {
    const key = `${e.taskId}\0${e.exampleId}`;
    let ids = cache.get(key);
    if (!ids) {
      ids = encodeExample(tokenizer, e);
      cache.set(key, ids);
    }
    return ids;
  };
  const metaEpisodes = resolveEpisodes(episodes.rows, pool.rows).map((ep) => ({
    iteration: ep.iteration,
    tasks: ep.tasks.map((t) => ({ taskId: t.taskId, support: t.support.map(encode), query: t.query.map(encode) })),
  }));
  const pooled = byTask(pool.rows);
  const train = byTask(tasks.rows.filter((e) => e.split === 'train' && pooled.has(e.taskId)));
  const dev = byTask(tasks.rows.filter((e) => e.split === 'dev'));
  const devTasks: TaskData[] = [];
  if (devQuerySize > 0) {
    for (const [taskId, rows] of pooled) {
      const query = (dev.get(taskId) ?? [])
        .sort((a, b) => (a.exampleId < b.exampleId ? -1 : 1))
        .slice(0, devQuerySize)
        .map(encode);
      if (query.length > 0) devTasks.push({ taskId, support: rows.map(encode), query });
    }
  }
  return {
    episodes: metaEpisodes,
    devTasks,
    fullTrain: [...train].map(([taskId, rows]) => ({ taskId, examples: rows.map(encode) })),
    pool: [...pooled].map(([taskId, rows]) => ({ taskId, examples: rows.map(encode) })),
    parents: [tasks.lineage.artifactId, pool.lineage.artifactId, episodes.lineage.artifactId],
  };
}

export interface RunTrainingOptions {
  readonly modelDir: string;
  readonly data: TrainingDataPaths;
  readonly config: MetaConfig;
  readonly runDir: string;
  /**
   * true: continue each candidate from its latest checkpoint; false: start over. Unset: continue a candidate whose
   * directory holds a checkpoint of this very run (same config, model and data), so a killed stage keeps what it did.
   */
  readonly resume?: boolean;
  readonly progress?: boolean;
  /** Baselines to train beside meta-training (none by default). */
  readonly baselines?: readonly BaselineMethod[];
}

export interface RunTrainingResult {
  /** The selected candidate's meta-training result. */
  readonly result: Omit<MetaTrainResult, 'shared'>;
  /** One row per candidate of the meta grid (one without a grid). */
  readonly tuning: MetaTuningRow[];
  readonly baselines: BaselineRow[];
}

/**
 * Meta-trains every candidate of the grid on the data stage's artifacts, selects one on dev (`adapters/selected`,
 * `meta-tuning.arrow`), and trains the requested baselines into `runDir/`.
 *
 * @example
 * const { result, baselines } = await runTraining({ modelDir, data, config, runDir: 'runs/x/train', baselines: ['multi-task-full'] });
 */
export async function runTraining(options: RunTrainingOptions): Promise<RunTrainingResult> {
  return withRunLock(options.runDir, 'train', () => runTrainingLocked(options));
}

async function runTrainingLocked(options: RunTrainingOptions): Promise<RunTrainingResult> {
  const { config } = options;
  const source = { dir: options.modelDir };
  const { model, tokenizer, fingerprint } = await loadModelSource(source);
  try {
    if (!tokenizer) {
      throw new MetaLoraError(
        'TOKENIZER_INVALID',
        `${options.modelDir} has no tokenizer.json, so task texts cannot be encoded`,
        {
          path: options.modelDir,
          fix: 'use a model directory with tokenizer.json (and tokenizer_config.json)',
        },
      );
    }
    const data = loadTrainingData(options.data, tokenizer, config.devQuerySize);
    // The baselines do not need meta-training's results, so on two or more worker threads they train beside it:
    // meta-training alone leaves a core idle at times, and the longest baseline run alone would end the stage. Until
    // meta-training ends, it keeps all worker threads but one, and the baselines' other workers wait. Neither's bytes
    // depend on this (baseline-history.test.ts, run-training.test.ts). On fewer threads, the baselines come after.
    const methods = options.baselines ?? [];
    const cores = methods.length > 0 ? resolveWorkers(config.workers, Number.POSITIVE_INFINITY) : 0;
    const beside = cores > 1;
    const lines = beside && options.progress === true;
    const tasksPerBatch = Math.max(...data.episodes.map((e) => e.tasks.length), data.devTasks.length);
    const metaWorkers = beside ? Math.min(resolveWorkers(config.workers, tasksPerBatch), cores - 1) : undefined;
    let metaEnded = () => {};
    const until = new Promise<void>((resolve) => {
      metaEnded = resolve;
    });
    const startBaselines = () =>
      trainBaselines({
        model,
        modelSource: source,
        config,
        fullTrain: data.fullTrain,
        pool: data.pool,
        dev: data.devTasks.map((t) => ({ name: t.taskId, examples: t.query })),
        runDir: options.runDir,
        methods,
        configHash: metaRunHash(config, fingerprint, data.episodes, data.devTasks),
        parents: data.parents,
        baseModelNameOrPath: options.modelDir,
        fingerprint,
        ...(options.progress === undefined ? {} : { progress: options.progress }),
        progressLines: lines,
        ...(metaWorkers === undefined ? {} : { held: { workers: metaWorkers, until } }),
      });
    const besideMeta = beside ? startBaselines() : null;
    besideMeta?.catch(() => {}); // awaited below, after meta-training
    try {
      const trained = await metaTrainCandidates(options, { model, source, fingerprint, data, lines, metaWorkers });
      metaEnded();
      const baselines = methods.length === 0 ? [] : await (besideMeta ?? startBaselines());
      return { ...trained, baselines };
    } catch (error) {
      // Let the baselines finish (their runs are kept in baseline-runs/ for a rerun), then report the failure.
      metaEnded();
      await besideMeta?.catch(() => {});
      throw error;
    }
  } finally {
    model.dispose();
  }
}

/** Meta-trains every candidate of the grid and writes the selected adapter and `meta-tuning.arrow`. */
async function metaTrainCandidates(
  options: RunTrainingOptions,
  run: {
    model: LlamaModel;
    source: ModelSource;
    fingerprint: string;
    data: TrainingData;
    lines: boolean;
    /** Stage-1 workers, when fewer than `config.workers` resolves to. */
    metaWorkers: number | undefined;
  },
): Promise<Omit<RunTrainingResult, 'baselines'>> {
  const { model, source, fingerprint, data } = run;
  const { config } = options;
  const candidates = metaCandidates(config);
  const results: Omit<MetaTrainResult, 'shared'>[] = [];
  for (const [i, candidate] of candidates.entries()) {
    const dir = candidateDir(options.runDir, config, i);
    const resume = options.resume ?? holdsRun(dir, metaRunHash(candidate, fingerprint, data.episodes, data.devTasks));
    const { shared, ...result } = await metaTrain({
      model,
      modelSource: source,
      fingerprint,
      config: candidate,
      episodes: data.episodes,
      devTasks: data.devTasks,
      runDir: dir,
      parents: data.parents,
      baseModelNameOrPath: options.modelDir,
      resume,
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      progressLabel:
        candidates.length === 1
          ? 'meta-train'
          : `meta-train ${i + 1}/${candidates.length} (innerLr ${candidate.adapt.innerLr}, innerSteps ${candidate.adapt.innerSteps}, metaLr ${candidate.metaLr})`,
      progressLines: run.lines,
      ...(run.metaWorkers === undefined ? {} : { workers: run.metaWorkers }),
    });
    shared.dispose();
    results.push(result);
  }
  const tuning = metaTuningRows(candidates, results);
  await writeSelectedAdapter(options.runDir, config, tuning);
  writeArtifact(join(options.runDir, META_TUNING_FILE), MetaTuningArtifact, tuning, {
    configHash: metaRunHash(config, fingerprint, data.episodes, data.devTasks),
    seed: config.seed,
    parents: data.parents,
    createdBy: '@meta-lora/stage2-meta runTraining',
  });
  const result = results[tuning.findIndex((r) => r.selected)] as Omit<MetaTrainResult, 'shared'>;
  return { result, tuning };
}
