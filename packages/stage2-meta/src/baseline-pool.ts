/**
 * Trains baseline adapters in a pool of worker threads (`WorkerPool` of @meta-lora/artifacts): each worker starts the
 * main thread's TF.js backend, loads its own copy of the model from a `ModelSource`, trains a job's adapter with
 * `trainLora` from the job's two generator states, and replies with the adapter's values (moved, not copied), its
 * losses and its example and token counts. Jobs go out longest first; results come back in job order. The main thread
 * rebuilds and saves the adapters, so the files are the same whatever the number of workers.
 */
import { longestFirst, Rng, type RngState, siblingModule, WorkerPool } from '@meta-lora/artifacts';
import { type BackendName, backendInfo, type LlamaModel, type LoraConfig } from '@meta-lora/lora-core';
import { countTokens, type DevSet, type ModelSource } from '@meta-lora/stage1-adapt';
import type { BaselineTask, LoraTrainResult } from './baseline-task.ts';
import { type BaselineConfig, baselineSteps } from './config.ts';
import { trainLora } from './train-lora.ts';

/** The setup data of a baseline worker. */
export interface BaselineWorkerInit {
  readonly modelSource: ModelSource;
  readonly lora: LoraConfig;
  readonly baselines: BaselineConfig;
  readonly backend?: BackendName;
}

/** One baseline run, as plain data; a worker trains it with `trainBaselineJob`. */
export interface BaselineJob {
  /** The adapter's name: `<method>:<taskId>`. */
  readonly name: string;
  readonly tasks: readonly BaselineTask[];
  readonly dev: readonly DevSet[];
  readonly lr: number;
  readonly rngState: RngState;
  /** The generator of θ₀ (`fork('shared-init')`). */
  readonly initState: RngState;
}

/**
 * Trains `job` in this thread, exactly as a baseline worker does.
 *
 * @example
 * const { adapter, ...result } = trainBaselineJob(model, job, { lora: config.lora, baselines: config.baselines });
 */
export function trainBaselineJob(
  model: LlamaModel,
  job: BaselineJob,
  init: Pick<BaselineWorkerInit, 'lora' | 'baselines'>,
  onStep?: (step: number, loss: number) => void,
): LoraTrainResult {
  const [rng, theta0] = [Rng.fromState(job.rngState), Rng.fromState(job.initState)];
  return trainLora(model, job.tasks, init.lora, init.baselines, job.lr, job.dev, rng, job.name, theta0, onStep);
}

/** A trained baseline adapter, as plain data. */
export interface BaselineJobResult extends Omit<LoraTrainResult, 'adapter'> {
  /** Factor values keyed like `LoraAdapter.namedTensors()`. */
  readonly values: [string, Float32Array][];
}

/** Workers that take no run until `until` settles, while other work (meta-training) has their cores. */
export interface HeldWorkers {
  readonly workers: number;
  readonly until: Promise<unknown>;
}

export interface BaselinePoolOptions {
  readonly modelSource: ModelSource;
  readonly lora: LoraConfig;
  readonly baselines: BaselineConfig;
  /** Worker threads (at least 1). */
  readonly workers: number;
  /** Of those, the ones held back for a while (at least one worker always trains). */
  readonly held?: HeldWorkers;
  /** Called as job `index` reports its steps (every `PROGRESS_EVERY` steps) and when it is done. */
  readonly onStep?: (index: number, step: number, loss: number) => void;
  /** Called with job `index`'s result as soon as it is done (completion order). */
  readonly onRunDone?: (index: number, result: BaselineJobResult) => void;
}

/** Steps between a worker's progress reports. */
export const PROGRESS_EVERY = 10;

/**
 * Trains `jobs` on `workers` threads (the `held` ones joining later), longest first, each to the next idle worker;
 * returns the results in job order.
 * After a failure no further job starts, and the failure of the first failed job is rethrown (a MetaLoraError keeps its
 * code). The workers are stopped either way.
 *
 * @example
 * const results = await trainInWorkers(jobs, { modelSource: { dir }, lora: config.lora, baselines: config.baselines, workers: 2 });
 */
export async function trainInWorkers(
  jobs: readonly BaselineJob[],
  options: BaselinePoolOptions,
): Promise<BaselineJobResult[]> {
  const backend = backendInfo()?.name;
  const pool = WorkerPool.start<BaselineWorkerInit, BaselineJob, BaselineJobResult>({
    module: siblingModule('baseline-worker', import.meta.url),
    init: {
      modelSource: options.modelSource,
      lora: options.lora,
      baselines: options.baselines,
      ...(backend ? { backend } : {}),
    },
    size: options.workers,
    held: Math.min(options.held?.workers ?? 0, options.workers - 1),
    label: 'baseline worker',
  });
  const release = () => pool.release();
  options.held?.until.then(release, release);
  try {
    return await pool.run(jobs, {
      order: longestFirst(jobs.map((job) => baselineJobCost(job, options.baselines))),
      failFast: true,
      onProgress: (i, value) => {
        const { step, loss } = value as { step: number; loss: number };
        options.onStep?.(i, step, loss);
      },
      onResult: (i, result) => options.onRunDone?.(i, result),
    });
  } finally {
    await pool.close();
  }
}

/**
 * A run's relative cost: its step budget of `min(batchSize, examples)` examples, so the tokens of an average minibatch
 * times the steps (early stopping may end it sooner).
 */
function baselineJobCost(job: BaselineJob, config: BaselineConfig): number {
  const examples = job.tasks.flatMap((t) => t.examples);
  if (examples.length === 0) return 0;
  const meanTokens = countTokens(examples, config.maxSeqLen) / examples.length;
  return baselineSteps(config, examples.length) * Math.min(config.batchSize, examples.length) * meanTokens;
}
