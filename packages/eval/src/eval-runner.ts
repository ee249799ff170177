/**
 * Scores evaluation cells (one condition × one task each) on a pool of worker threads: one TF.js backend (the main
 * thread's) and one copy of the base model, loaded from the model directory, per worker. Cells go out longest first to
 * the next idle worker; each row is put back at its cell's position, and the same `evaluateCell` computes it as in
 * `evaluate`'s own thread, so the rows are identical whatever the number of workers. No randomness is involved:
 * classification compares log-likelihoods and generation decodes greedily.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, MetaLoraError, showValue } from '@meta-lora/artifacts';
import type { Example } from '@meta-lora/data-sampling';
import { type BackendName, backendInfo } from '@meta-lora/lora-core';
import type { EvalCondition } from './conditions.ts';
import type { CellScoring } from './eval-cell.ts';
import { inContextPrefix } from './prompts.ts';
import type { EvalResultRow } from './results-artifact.ts';
import type { TaskType } from './task-type.ts';

/** One cell: a condition scored on one task's test examples. Plain data, posted to a worker as is. */
export interface EvalCellJob {
  readonly condition: EvalCondition;
  readonly taskId: string;
  readonly examples: readonly Example[];
  readonly taskType: TaskType;
}

/** `workerData` of an evaluation worker. */
export interface EvalWorkerInit {
  readonly modelDir: string;
  readonly scoring: CellScoring;
  readonly backend?: BackendName;
}

export interface EvalWorkerRequest {
  readonly id: number;
  readonly job: EvalCellJob;
}

export type EvalWorkerReply =
  | { readonly id: number; readonly row: EvalResultRow }
  | { readonly id: number; readonly error: { code: ErrorCode; message: string; known: boolean } };

export interface EvalRunnerOptions {
  /** Model directory the workers load the model and its tokenizer from. */
  readonly modelDir: string;
  readonly scoring: CellScoring;
  /** Worker threads (at least 1). */
  readonly workers: number;
}

/**
 * Worker threads for `cells` cells when `setting` is `auto`: one per core (at most one per cell), none on a single
 * core. A number is used as given (0: evaluate in this thread).
 *
 * @example
 * resolveEvalWorkers('auto', 77); // 2 on a 2-core machine, 0 on 1 core
 */
export function resolveEvalWorkers(setting: number | 'auto', cells: number): number {
  if (setting === 'auto') {
    const cores = availableParallelism();
    return cores > 1 ? Math.min(cores, cells) : 0;
  }
  if (!Number.isInteger(setting) || setting < 0) {
    throw new MetaLoraError('CONFIG_INVALID', `workers is ${showValue(setting)}`, {
      field: 'workers',
      value: setting,
      fix: 'pass "auto" or a whole number of worker threads (0: evaluate in this thread)',
    });
  }
  return Math.min(setting, cells);
}

/**
 * A cell's relative cost, in characters as a stand-in for tokens: classification scores every choice after the
 * prompt (in-context demonstrations included); generation scores the target and decodes about as many tokens again,
 * each decoding step weighted like `DECODE_STEP_COST` prompt characters. Only the schedule depends on it.
 */
export function cellCost(job: EvalCellJob): number {
  const prefix = inContextPrefix(job.condition.supportByTask?.[job.taskId] ?? []).length;
  let cost = 0;
  for (const e of job.examples) {
    const context = prefix + e.input.length;
    cost +=
      job.taskType === 'classification'
        ? (e.choices?.length ?? 1) * context
        : 2 * context + DECODE_STEP_COST * e.target.length;
  }
  return cost;
}

/** Prompt characters one greedy decoding step (per target character) is worth in `cellCost`. */
const DECODE_STEP_COST = 8;

/**
 * The order cells are handed out in: by `cellCost`, highest first, ties by position.
 *
 * @example
 * cellOrder(jobs); // [3, 1, 0, 2]
 */
export function cellOrder(jobs: readonly EvalCellJob[]): number[] {
  const cost = jobs.map(cellCost);
  return jobs.map((_, i) => i).sort((a, b) => cost[b]! - cost[a]! || a - b);
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (row: EvalResultRow) => void; reject: (error: Error) => void }>;
  failure: Error | null;
}

export class EvalRunner {
  private readonly slots: Slot[] = [];
  private nextId = 0;

  private constructor() {}

  /**
   * Starts the workers; they load the model in the background and the first cells wait for it.
   *
   * @example
   * const runner = EvalRunner.start({ modelDir: 'models/meta-lora-base', scoring: {}, workers: 2 });
   * try { rows = await runner.run(jobs); } finally { await runner.close(); }
   */
  static start(options: EvalRunnerOptions): EvalRunner {
    const runner = new EvalRunner();
    const backend = backendInfo()?.name;
    const init: EvalWorkerInit = {
      modelDir: options.modelDir,
      scoring: options.scoring,
      ...(backend ? { backend } : {}),
    };
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(new URL('./eval-worker.mjs', import.meta.url), { workerData: init });
      const slot: Slot = { worker, pending: new Map(), failure: null };
      const fail = (error: Error) => {
        slot.failure = error;
        for (const p of slot.pending.values()) p.reject(error);
        slot.pending.clear();
      };
      worker.on('message', (reply: EvalWorkerReply) => {
        const p = slot.pending.get(reply.id);
        if (!p) return;
        slot.pending.delete(reply.id);
        if ('row' in reply) p.resolve(reply.row);
        else if (reply.error.known) p.reject(new MetaLoraError(reply.error.code, reply.error.message));
        else p.reject(new Error(`eval worker ${i} failed: ${reply.error.message}`));
      });
      worker.on('error', (error) => fail(new Error(`eval worker ${i} crashed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => fail(new Error(`eval worker ${i} exited with code ${code}`)));
      runner.slots.push(slot);
    }
    return runner;
  }

  /** Number of worker threads. */
  get workers(): number {
    return this.slots.length;
  }

  /**
   * Scores every cell and returns the rows in cell order; `onRow` sees each row as it arrives. After the first failure
   * no further cell is started; once the running ones finish, the error of the earliest failed cell is thrown.
   *
   * @example
   * const rows = await runner.run(jobs, (row) => console.log(row.taskId, row.score));
   */
  async run(
    jobs: readonly EvalCellJob[],
    onRow?: (row: EvalResultRow, index: number) => void,
  ): Promise<EvalResultRow[]> {
    const order = cellOrder(jobs);
    const rows: EvalResultRow[] = new Array(jobs.length);
    const failures = new Map<number, unknown>();
    let next = 0;
    const lane = async (slot: Slot) => {
      while (next < order.length && failures.size === 0) {
        const i = order[next++]!;
        try {
          rows[i] = await this.post(slot, jobs[i]!);
          onRow?.(rows[i], i);
        } catch (reason) {
          failures.set(i, reason);
        }
      }
    };
    await Promise.all(this.slots.map(lane));
    if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
    return rows;
  }

  private post(slot: Slot, job: EvalCellJob): Promise<EvalResultRow> {
    if (slot.failure) return Promise.reject(slot.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const request: EvalWorkerRequest = { id, job };
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
