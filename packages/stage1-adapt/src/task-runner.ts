/**
 * Runs stage 1 for the tasks of a meta-iteration, in this thread or in a pool of worker threads (one TF.js backend and
 * one copy of the base model per worker). Either way each task's row goes through the `task-updates` Arrow bytes and
 * its generator comes from the job, so the rows — and everything stage 2 computes from them — are identical whatever
 * the number of workers. Rows come back in job order.
 */
import { availableParallelism } from 'node:os';
import { longestFirst, WorkerPool } from '@meta-lora/artifacts';
import {
  type BackendName,
  backendInfo,
  type LlamaModel,
  type LoraAdapter,
  type LoraConfig,
} from '@meta-lora/lora-core';
import type { AdaptConfig } from './config.ts';
import type { ModelSource } from './model-source.ts';
import {
  computeTaskUpdate,
  type TaskJob,
  type TaskUpdateRow,
  taskUpdatesFromIPC,
  taskUpdatesToIPC,
} from './task-update.ts';

/** The setup data of a stage 1 worker. */
export interface WorkerInit {
  readonly modelSource: ModelSource;
  readonly loraConfig: LoraConfig;
  readonly adaptConfig: AdaptConfig;
  readonly sharedName: string;
  readonly backend?: BackendName;
}

/** One job of a stage 1 worker: the shared adapter's current values and the task; the reply is its row's bytes. */
export interface WorkerJob {
  readonly shared: [string, Float32Array][];
  readonly job: TaskJob;
}

export interface TaskRunnerOptions {
  /** The model of this thread (used when `workers` is 0). */
  readonly model: LlamaModel;
  /** Where workers load their own copy of the same model from. */
  readonly modelSource: ModelSource;
  readonly adaptConfig: AdaptConfig;
  /** Worker threads; 0 runs every task in this thread. */
  readonly workers: number;
}

/**
 * Worker threads for `tasks` tasks per iteration when `setting` is `auto`: one per core (at most one per task), none
 * on a single core.
 *
 * @example
 * resolveWorkers('auto', 4); // 2 on a 2-core machine, 0 on 1 core
 */
export function resolveWorkers(setting: number | 'auto', tasks: number): number {
  if (setting !== 'auto') return setting;
  const cores = availableParallelism();
  return cores > 1 ? Math.min(cores, tasks) : 0;
}

export class TaskRunner {
  private constructor(
    private readonly options: TaskRunnerOptions,
    private readonly pool: WorkerPool<WorkerJob, Uint8Array> | null,
  ) {}

  /**
   * Starts the workers (they load the model in the background; the first `run` waits for them).
   *
   * @example
   * const runner = TaskRunner.start({ model, modelSource: { dir }, adaptConfig, workers: 2 }, shared);
   * const rows = await runner.run(shared, jobs); await runner.close();
   */
  static start(options: TaskRunnerOptions, shared: LoraAdapter): TaskRunner {
    if (options.workers === 0) return new TaskRunner(options, null);
    const backend = backendInfo()?.name;
    const init: WorkerInit = {
      modelSource: options.modelSource,
      loraConfig: shared.config,
      adaptConfig: options.adaptConfig,
      sharedName: shared.name,
      ...(backend ? { backend } : {}),
    };
    const pool = WorkerPool.start<WorkerInit, WorkerJob, Uint8Array>({
      module: new URL('./task-worker.ts', import.meta.url),
      init,
      size: options.workers,
      label: 'stage 1 worker',
    });
    return new TaskRunner(options, pool);
  }

  /** Number of worker threads (0: in-process). */
  get workers(): number {
    return this.pool?.size ?? 0;
  }

  /**
   * Runs `jobs` against the current values of `shared` (which is not modified) and returns their rows in job order.
   *
   * @example
   * const rows = await runner.run(shared, jobs);
   */
  async run(shared: LoraAdapter, jobs: readonly TaskJob[]): Promise<TaskUpdateRow[]> {
    if (!this.pool) {
      return jobs.map((job) => {
        const row = computeTaskUpdate(this.options.model, shared, job, this.options.adaptConfig);
        return taskUpdatesFromIPC(taskUpdatesToIPC([row], job))[0] as TaskUpdateRow;
      });
    }
    const values: [string, Float32Array][] = [...shared.namedTensors()].map(([k, t]) => [
      k,
      Float32Array.from(t.dataSync() as Float32Array),
    ]);
    // Longest first (by token count), each to the next idle worker, so tasks of unequal length keep both cores busy;
    // results are positioned by job, so the schedule changes no number.
    const bytes = await this.pool.run(
      jobs.map((job) => ({ shared: values, job })),
      { order: jobOrder(jobs, this.options.adaptConfig.innerSteps) },
    );
    return bytes.map((b, i) => taskUpdatesFromIPC(b, `<task-updates of job ${i}>`)[0] as TaskUpdateRow);
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/**
 * The order jobs are handed out in: by cost (tokens of `innerSteps` support passes and two query passes), highest
 * first, ties by position.
 *
 * @example
 * jobOrder(jobs, 4); // [2, 0, 1, 3]
 */
export function jobOrder(jobs: readonly TaskJob[], innerSteps: number): number[] {
  return longestFirst(jobs.map((job) => jobCost(job, innerSteps)));
}

/** A job's relative cost: the tokens its inner steps and its two query passes run over. */
function jobCost(job: TaskJob, innerSteps: number): number {
  const tokens = (examples: readonly { promptIds: readonly number[]; targetIds: readonly number[] }[]) =>
    examples.reduce((n, e) => n + e.promptIds.length + e.targetIds.length, 0);
  return innerSteps * tokens(job.task.support) + 2 * tokens(job.task.query);
}
