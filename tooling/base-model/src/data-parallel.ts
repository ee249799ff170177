/**
 * Data-parallel loss and gradients on worker threads (`pretrain --data-parallel N`). Each of N workers holds its own
 * copy of the model and its own TF.js backend with one OpenBLAS thread; a step splits the batch's windows into N
 * contiguous shares, each worker takes the loss and gradients of its share, and this thread averages them weighted
 * by each share's target tokens. The mean loss over the batch is the target-weighted mean of the shares' mean losses,
 * and so is its gradient: the result equals `valueAndGradients` on the whole batch up to float rounding. The caller
 * clips and applies AdamW as before, on its own variables.
 *
 * The weights go out through one SharedArrayBuffer (θ flat, in `namedWeights()` order), written before each step; each
 * job's gradients come back through a SharedArrayBuffer of its own. Shares and their order are fixed by N, and every
 * worker computes a given share to the same bits, so a run is deterministic for a fixed N.
 *
 * Why workers: two single-thread processes on half batches trained at 1.2–1.6× the tokens/s of one process with two
 * OpenBLAS threads, which leave one core idle in every kernel that is not a matmul (README, "Sizing of v2").
 */
import { MetaLoraError, WorkerPool } from '@meta-lora/artifacts';
import {
  type BackendName,
  backendInfo,
  type GradientsResult,
  type LlamaModel,
  type TokenBatch,
  tf,
} from '@meta-lora/lora-core';

/** The setup data of a data-parallel worker. */
export interface DataParallelInit {
  /** The model's HF `config.json` fields (`hfModelConfig`). */
  readonly hfConfig: Record<string, unknown>;
  readonly backend?: BackendName;
}

/** One job: `ready` waits for the worker's setup; `share` is one share of a step's batch. */
export type DataParallelJob =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'share';
      /** θ flat, over the SharedArrayBuffer this thread writes before each step. */
      readonly theta: Float32Array;
      /** This job's gradients, flat in θ's layout, over a SharedArrayBuffer the worker writes. */
      readonly grads: Float32Array;
      readonly batch: TokenBatch;
    };

/** A share's mean loss and the target tokens it was taken over (0 and 0 for `ready`). */
export interface DataParallelResult {
  readonly loss: number;
  readonly targets: number;
}

export class DataParallel {
  private constructor(
    private readonly pool: WorkerPool<DataParallelJob, DataParallelResult>,
    private readonly variables: readonly tf.Variable[],
    private readonly theta: Float32Array,
    private readonly grads: readonly Float32Array[],
  ) {}

  /**
   * Starts `workers` threads for `model` (trainable) and waits until each has built its copy.
   *
   * @example
   * const parallel = await DataParallel.start(model, hfModelConfig(config.model, tokens), 2);
   * const { loss, grads } = await parallel.valueAndGradients(batch); // then clip, apply, dispose grads
   * await parallel.close();
   */
  static async start(model: LlamaModel, hfConfig: Record<string, unknown>, workers: number): Promise<DataParallel> {
    if (!Number.isInteger(workers) || workers < 1) {
      throw new MetaLoraError('CONFIG_INVALID', `data-parallel workers must be an integer ≥ 1, got ${workers}`, {
        field: '--data-parallel',
        value: workers,
        fix: 'pass e.g. --data-parallel 2 (one worker per core), or leave it out to train in this thread',
      });
    }
    const variables = model.trainableVariables();
    const size = variables.reduce((n, v) => n + v.size, 0);
    const backend = backendInfo()?.name;
    const pool = WorkerPool.start<DataParallelInit, DataParallelJob, DataParallelResult>({
      module: new URL('./data-parallel-worker.ts', import.meta.url),
      init: { hfConfig, ...(backend ? { backend } : {}) },
      size: workers,
      label: 'data-parallel worker',
    });
    const shared = () => new Float32Array(new SharedArrayBuffer(size * Float32Array.BYTES_PER_ELEMENT));
    const parallel = new DataParallel(
      pool,
      variables,
      shared(),
      Array.from({ length: workers }, () => shared()),
    );
    try {
      // One `ready` job per worker: an idle worker takes one job at a time, so each worker gets one.
      await pool.run(Array.from({ length: workers }, () => ({ kind: 'ready' as const })));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return parallel;
  }

  /** Worker threads. */
  get workers(): number {
    return this.pool.size;
  }

  /**
   * The mean loss over `batch`'s targets and its gradient for each variable (in `trainableVariables()` order), as
   * `valueAndGradients(() => causalLmLoss(model, batch), variables)` gives them; the caller disposes the gradients.
   *
   * @example
   * const { loss, grads } = await parallel.valueAndGradients(batch);
   */
  async valueAndGradients(batch: TokenBatch): Promise<GradientsResult> {
    const shares = splitBatch(batch, this.grads.length);
    let offset = 0;
    for (const v of this.variables) {
      this.theta.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    const results = await this.pool.run(
      shares.map((share, i) => ({
        kind: 'share',
        theta: this.theta,
        grads: this.grads[i] as Float32Array,
        batch: share,
      })),
    );
    // Target-weighted mean: Σᵢ (nᵢ / n) · (loss, gradient)ᵢ, summed in double precision and rounded once.
    const total = results.reduce((n, r) => n + r.targets, 0);
    const weights = results.map((r) => r.targets / total);
    const loss = results.reduce((s, r, i) => s + (weights[i] as number) * r.loss, 0);
    offset = 0;
    const grads = this.variables.map((v) => {
      const out = new Float32Array(v.size);
      for (let k = 0; k < v.size; k++) {
        let sum = 0;
        for (let i = 0; i < this.grads.length; i++) {
          sum += (weights[i] as number) * ((this.grads[i] as Float32Array)[offset + k] as number);
        }
        out[k] = sum;
      }
      offset += v.size;
      return tf.tensor(out, v.shape);
    });
    return { loss, grads };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}

/**
 * `batch` cut into `parts` contiguous shares of whole windows, as even as they go (the first shares get the extra
 * windows).
 *
 * @example
 * splitBatch(batch16, 3).map((b) => b.batchSize); // [6, 5, 5]
 */
export function splitBatch(batch: TokenBatch, parts: number): TokenBatch[] {
  const { batchSize: B, seqLen: T } = batch;
  if (parts > B) {
    throw new MetaLoraError('CONFIG_INVALID', `${parts} data-parallel workers for a batch of ${B} windows`, {
      field: '--data-parallel',
      value: parts,
      fix: `use at most train.batchSize (${B}) workers`,
    });
  }
  const shares: TokenBatch[] = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const size = Math.floor(B / parts) + (i < B % parts ? 1 : 0);
    const rows = [start * T, (start + size) * T] as const;
    shares.push({
      batchSize: size,
      seqLen: T,
      inputIds: batch.inputIds.slice(...rows),
      labels: batch.labels.slice(...rows),
    });
    start += size;
  }
  return shares;
}
