/**
 * Scores evaluation cells (one condition × one task each) on a pool of worker threads (`WorkerPool` of
 * @meta-lora/artifacts): one TF.js backend (the main thread's) and one copy of the base model, loaded from the model
 * directory, per worker. Cells go out longest first to the next idle worker; each row is put back at its cell's
 * position, and the same `evaluateCell` computes it as in `evaluate`'s own thread, so the results are identical whatever
 * the number of workers. No randomness is involved: classification compares log-likelihoods and generation decodes
 * greedily.
 */
import { availableParallelism } from 'node:os';
import { longestFirst, MetaLoraError, showValue, siblingModule, WorkerPool } from '@meta-lora/artifacts';
import type { Example } from '@meta-lora/data-sampling';
import { type BackendName, backendInfo, WASM_HEAP_LIMIT_BYTES } from '@meta-lora/lora-core';
import type { EvalCondition } from './conditions.ts';
import type { CellScoring, EvalCellResult } from './eval-cell.ts';
import { inContextPrefix } from './prompts.ts';
import type { TaskType } from './task-type.ts';

/** One cell: a condition scored on one task's test examples. Plain data, posted to a worker as is. */
export interface EvalCellJob {
  readonly condition: EvalCondition;
  readonly taskId: string;
  readonly examples: readonly Example[];
  readonly taskType: TaskType;
}

/** The setup data of an evaluation worker. */
export interface EvalWorkerInit {
  readonly modelDir: string;
  readonly scoring: CellScoring;
  readonly backend?: BackendName;
  /** The worker retires after a cell that leaves its wasm heap at this many bytes or more. */
  readonly retireHeapBytes: number;
}

/**
 * Default of `retireHeapBytes`: 3 GiB, three quarters of wasm32's 4 GiB. A wasm heap only grows, and generation over
 * prompts of many lengths fragments it; a worker past this is replaced by a fresh one (its model loaded again, a few
 * seconds) before an allocation fails inside a kernel.
 */
export const RETIRE_HEAP_BYTES = 0.75 * WASM_HEAP_LIMIT_BYTES;

export interface EvalRunnerOptions {
  /** Model directory the workers load the model and its tokenizer from. */
  readonly modelDir: string;
  readonly scoring: CellScoring;
  /** Worker threads (at least 1). */
  readonly workers: number;
  /** Replace a worker whose wasm heap is at this many bytes or more after a cell (default `RETIRE_HEAP_BYTES`). */
  readonly retireHeapBytes?: number;
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
  return longestFirst(jobs.map(cellCost));
}

export class EvalRunner {
  private constructor(private readonly pool: WorkerPool<EvalCellJob, EvalCellResult>) {}

  /**
   * Starts the workers; they load the model in the background and the first cells wait for it.
   *
   * @example
   * const runner = EvalRunner.start({ modelDir: 'models/meta-lora-base', scoring: {}, workers: 2 });
   * try { rows = await runner.run(jobs); } finally { await runner.close(); }
   */
  static start(options: EvalRunnerOptions): EvalRunner {
    const backend = backendInfo()?.name;
    const init: EvalWorkerInit = {
      modelDir: options.modelDir,
      scoring: options.scoring,
      ...(backend ? { backend } : {}),
      retireHeapBytes: options.retireHeapBytes ?? RETIRE_HEAP_BYTES,
    };
    const pool = WorkerPool.start<EvalWorkerInit, EvalCellJob, EvalCellResult>({
      module: siblingModule('eval-worker', import.meta.url),
      init,
      size: options.workers,
      label: 'eval worker',
    });
    return new EvalRunner(pool);
  }

  /** Number of worker threads. */
  get workers(): number {
    return this.pool.size;
  }

  /** How many workers were replaced by fresh ones after their wasm heap reached `retireHeapBytes`. */
  get retirements(): number {
    return this.pool.retirements;
  }

  /**
   * Scores every cell and returns the results in cell order; `onResult` sees each as it arrives. After the first
   * failure no further cell is started; once the running ones finish, the error of the earliest failed cell is thrown.
   *
   * @example
   * const results = await runner.run(jobs, ({ row }) => console.log(row.taskId, row.score));
   */
  run(
    jobs: readonly EvalCellJob[],
    onResult?: (result: EvalCellResult, index: number) => void,
  ): Promise<EvalCellResult[]> {
    return this.pool.run(jobs, {
      order: cellOrder(jobs),
      failFast: true,
      ...(onResult ? { onResult: (index: number, result: EvalCellResult) => onResult(result, index) } : {}),
    });
  }

  /** Stops the workers. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
