/**
 * Runs stage 1 for the tasks of a meta-iteration, in this thread or in a pool of worker threads (one TF.js backend and
 * one copy of the base model per worker). Either way each task's row goes through the `task-updates` Arrow bytes and
 * its generator comes from the job, so the rows — and everything stage 2 computes from them — are identical whatever
 * the number of workers. Rows come back in job order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, MetaLoraError } from '@meta-lora/artifacts';
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

/** `workerData` of a stage 1 worker. */
export interface WorkerInit {
  readonly modelSource: ModelSource;
  readonly loraConfig: LoraConfig;
  readonly adaptConfig: AdaptConfig;
  readonly sharedName: string;
  readonly backend?: BackendName;
}

export interface WorkerRequest {
  readonly id: number;
  readonly shared: [string, Float32Array][];
  readonly job: TaskJob;
}

export type WorkerReply =
  | { readonly id: number; readonly bytes: Uint8Array }
  | { readonly id: number; readonly error: { code: ErrorCode; message: string; known: boolean } };

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

interface Slot {
  readonly worker: Worker;
  pending: Map<number, { resolve: (bytes: Uint8Array) => void; reject: (error: Error) => void }>;
  failure: Error | null;
}

export class TaskRunner {
  private readonly slots: Slot[] = [];
  private nextId = 0;

  private constructor(private readonly options: TaskRunnerOptions) {}

  /**
   * Starts the workers (they load the model in the background; the first `run` waits for them).
   *
   * @example
   * const runner = TaskRunner.start({ model, modelSource: { dir }, adaptConfig, workers: 2 }, shared);
   * const rows = await runner.run(shared, jobs); await runner.close();
   */
  static start(options: TaskRunnerOptions, shared: LoraAdapter): TaskRunner {
    const runner = new TaskRunner(options);
    const backend = backendInfo()?.name;
    const init: WorkerInit = {
      modelSource: options.modelSource,
      loraConfig: shared.config,
      adaptConfig: options.adaptConfig,
      sharedName: shared.name,
      ...(backend ? { backend } : {}),
    };
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(new URL('./task-worker.mjs', import.meta.url), { workerData: init });
      const slot: Slot = { worker, pending: new Map(), failure: null };
      const fail = (error: Error) => {
        slot.failure = error;
        for (const p of slot.pending.values()) p.reject(error);
        slot.pending.clear();
      };
      worker.on('message', (reply: WorkerReply) => {
        const p = slot.pending.get(reply.id);
        if (!p) return;
        slot.pending.delete(reply.id);
        if ('bytes' in reply) p.resolve(reply.bytes);
        else if (reply.error.known) p.reject(new MetaLoraError(reply.error.code, reply.error.message));
        else p.reject(new Error(`stage 1 worker ${i} failed: ${reply.error.message}`));
      });
      worker.on('error', (error) => fail(new Error(`stage 1 worker ${i} crashed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => fail(new Error(`stage 1 worker ${i} exited with code ${code}`)));
      runner.slots.push(slot);
    }
    return runner;
  }

  /** Number of worker threads (0: in-process). */
  get workers(): number {
    return this.slots.length;
  }

  /**
   * Runs `jobs` against the current values of `shared` (which is not modified) and returns their rows in job order.
   *
   * @example
   * const rows = await runner.run(shared, jobs);
   */
  async run(shared: LoraAdapter, jobs: readonly TaskJob[]): Promise<TaskUpdateRow[]> {
    if (this.slots.length === 0) {
      return jobs.map((job) => {
        const row = computeTaskUpdate(this.options.model, shared, job, this.options.adaptConfig);
        return taskUpdatesFromIPC(taskUpdatesToIPC([row], job))[0] as TaskUpdateRow;
      });
    }
    const values: [string, Float32Array][] = [...shared.namedTensors()].map(([k, t]) => [
      k,
      Float32Array.from(t.dataSync() as Float32Array),
    ]);
    const settled = await this.schedule(values, jobs);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return settled.map((s, i) => {
      const rows = taskUpdatesFromIPC((s as PromiseFulfilledResult<Uint8Array>).value, `<task-updates of job ${i}>`);
      return rows[0] as TaskUpdateRow;
    });
  }

  /**
   * Runs the jobs longest first (by token count), each on the next worker that falls idle, so tasks of unequal length
   * keep both cores busy; results are positioned by job, so the schedule changes no number.
   */
  private async schedule(
    values: [string, Float32Array][],
    jobs: readonly TaskJob[],
  ): Promise<PromiseSettledResult<Uint8Array>[]> {
    const order = jobOrder(jobs, this.options.adaptConfig.innerSteps);
    const settled: PromiseSettledResult<Uint8Array>[] = new Array(jobs.length);
    let next = 0;
    const lane = async (slot: Slot) => {
      while (next < order.length) {
        const i = order[next++] as number;
        try {
          settled[i] = { status: 'fulfilled', value: await this.post(slot, values, jobs[i] as TaskJob) };
        } catch (reason) {
          settled[i] = { status: 'rejected', reason };
        }
      }
    };
    await Promise.all(this.slots.map(lane));
    return settled;
  }

  private post(slot: Slot, shared: [string, Float32Array][], job: TaskJob): Promise<Uint8Array> {
    if (slot.failure) return Promise.reject(slot.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const request: WorkerRequest = { id, shared, job };
      slot.worker.postMessage(request);
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const slot of slots) slot.worker.removeAllListeners('exit');
    await Promise.all(slots.map((s) => s.worker.terminate()));
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
  const cost = jobs.map((job) => jobCost(job, innerSteps));
  return jobs.map((_, i) => i).sort((a, b) => (cost[b] as number) - (cost[a] as number) || a - b);
}

/** A job's relative cost: the tokens its inner steps and its two query passes run over. */
function jobCost(job: TaskJob, innerSteps: number): number {
  const tokens = (examples: readonly { promptIds: readonly number[]; targetIds: readonly number[] }[]) =>
    examples.reduce((n, e) => n + e.promptIds.length + e.targetIds.length, 0);
  return innerSteps * tokens(job.task.support) + 2 * tokens(job.task.query);
}
