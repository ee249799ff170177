/**
 * Runs stage 1 for the tasks of a meta-iteration, in this thread or in a pool of worker threads (one TF.js backend and
 * one copy of the base model per worker). Either way each task's row goes through the `task-updates` Arrow bytes and
 * its generator comes from the job, so the rows — and everything stage 2 computes from them — are identical whatever
 * the number of workers. Rows come back in job order.
 *
 * On workers a task is two jobs: its adaptation (inner steps, query loss and gradient of θᵢ) and the query loss of θ
 * itself, which needs no adaptation. The short query-loss jobs go out last and fill the time a worker would otherwise
 * wait for the others' adaptations to finish; the two parts are joined into the task's row here.
 */
import { availableParallelism } from 'node:os';
import { longestFirst, siblingModule, WorkerPool } from '@meta-lora/artifacts';
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
  type AdaptedUpdate,
  adaptedUpdateFromIPC,
  adaptedUpdateToIPC,
  computeAdaptedUpdate,
  computeTaskUpdate,
  flattenAdapter,
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

/**
 * One job of a stage 1 worker: the shared adapter's values, the task and the part of its row to compute. The reply to
 * `adapted` is the row's `task-updates` bytes with `queryLossBefore` 0 (the `query-loss` job's number replaces it),
 * the reply to `query-loss` that number.
 */
export interface WorkerJob {
  /**
   * θ flat in `variables()` order, over a SharedArrayBuffer: the jobs of one `run` share it instead of each carrying a
   * copy. A new one per `run`, never written after, so a job that starts late still reads the θ it was given.
   */
  readonly shared: Float32Array;
  readonly job: TaskJob;
  readonly part: 'adapted' | 'query-loss';
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
    private readonly pool: WorkerPool<WorkerJob, Uint8Array | number> | null,
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
    const pool = WorkerPool.start<WorkerInit, WorkerJob, Uint8Array | number>({
      module: siblingModule('task-worker', import.meta.url),
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
   * Runs `jobs` against the current values of `shared` and returns their rows in job order. `onAdapted` gets the rows
   * (without `queryLossBefore`) as soon as every task's adapted part is in; it may change `shared`, whose values the
   * remaining jobs already hold. If it throws, `run` rejects with its error.
   *
   * @example
   * const rows = await runner.run(shared, jobs, { onAdapted: (updates) => metaUpdate(shared, optimizer, updates, config) });
   */
  async run(
    shared: LoraAdapter,
    jobs: readonly TaskJob[],
    options: { readonly onAdapted?: (updates: readonly AdaptedUpdate[]) => void } = {},
  ): Promise<TaskUpdateRow[]> {
    if (!this.pool) {
      const rows = jobs.map((job) => {
        const row = computeTaskUpdate(this.options.model, shared, job, this.options.adaptConfig);
        return taskUpdatesFromIPC(taskUpdatesToIPC([row], job))[0] as TaskUpdateRow;
      });
      options.onAdapted?.(rows.map(({ queryLossBefore: _computed, ...update }) => update));
      return rows;
    }
    const { updates, before } = await this.onWorkers(shared, jobs, true, options.onAdapted);
    return updates.map((update, i) => ({ ...update, queryLossBefore: before[i] as number }));
  }

  /**
   * Only the adapted parts of `jobs`, in job order: everything of a row but the query loss of θ itself, which is a
   * forward pass over each query set that a dev evaluation (it reads `queryLossAfter`) does not need.
   *
   * @example
   * const devLoss = mean((await runner.runAdapted(shared, devJobs)).map((u) => u.queryLossAfter));
   */
  async runAdapted(shared: LoraAdapter, jobs: readonly TaskJob[]): Promise<AdaptedUpdate[]> {
    if (this.pool) return (await this.onWorkers(shared, jobs, false)).updates;
    return jobs.map((job) =>
      adaptedUpdateFromIPC(
        adaptedUpdateToIPC(computeAdaptedUpdate(this.options.model, shared, job, this.options.adaptConfig), job),
      ),
    );
  }

  /** The adapted parts of `jobs` on the workers and, with `withBefore`, the query losses of θ (NaN where not run). */
  private async onWorkers(
    shared: LoraAdapter,
    jobs: readonly TaskJob[],
    withBefore: boolean,
    onAdapted?: (updates: readonly AdaptedUpdate[]) => void,
  ): Promise<{ updates: AdaptedUpdate[]; before: number[] }> {
    const pool = this.pool as WorkerPool<WorkerJob, Uint8Array | number>;
    const n = jobs.length;
    const updates: AdaptedUpdate[] = new Array(n);
    const before: number[] = new Array(n).fill(Number.NaN);
    if (n === 0) {
      onAdapted?.([]);
      return { updates, before };
    }
    const flat = flattenAdapter(shared);
    const values = new Float32Array(new SharedArrayBuffer(flat.byteLength));
    values.set(flat);
    // Longest first (by token count), each to the next idle worker, so tasks of unequal length keep both cores busy;
    // results are positioned by job, so the schedule changes no number. Each row is decoded as it arrives, while the
    // other workers still compute.
    const order = partOrder(jobs, this.options.adaptConfig.innerSteps);
    let adapted = 0;
    await pool.run(
      [
        ...jobs.map((job): WorkerJob => ({ shared: values, job, part: 'adapted' })),
        ...(withBefore ? jobs.map((job): WorkerJob => ({ shared: values, job, part: 'query-loss' })) : []),
      ],
      {
        order: withBefore ? order : order.filter((i) => i < n),
        onResult: (i, result) => {
          if (i >= n) {
            before[i - n] = result as number;
            return;
          }
          updates[i] = adaptedUpdateFromIPC(result as Uint8Array, `<task-updates of job ${i}>`);
          if (++adapted === n) onAdapted?.(updates);
        },
      },
    );
    return { updates, before };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/**
 * The order the worker jobs of `jobs` are handed out in: positions 0…n−1 are the tasks' adaptations, n…2n−1 their
 * query losses of θ. Highest cost first, ties by position; the cost of a part is the token passes it runs, a backward
 * pass counting as two forward ones (adaptation: `innerSteps` support passes and the query pass of θᵢ, each with its
 * backward where the mode takes a gradient; query loss: one forward pass over the query set).
 *
 * @example
 * partOrder(jobs, 4); // [1, 2, 0, 3, 6, 4, 5, 7]
 */
export function partOrder(jobs: readonly TaskJob[], innerSteps: number): number[] {
  const tokens = (examples: readonly { promptIds: readonly number[]; targetIds: readonly number[] }[]) =>
    examples.reduce((n, e) => n + e.promptIds.length + e.targetIds.length, 0);
  const adapted = jobs.map(
    ({ task, mode }) =>
      3 * innerSteps * tokens(task.support) + (mode === 'query-gradient' ? 3 : 1) * tokens(task.query),
  );
  return longestFirst([...adapted, ...jobs.map(({ task }) => tokens(task.query))]);
}
