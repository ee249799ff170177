/**
 * Log-likelihood of continuations given contexts: the primitive behind label scoring (classification) and the
 * target-token loss. For a context c and continuation y₁…y_m the score is Σⱼ log p(yⱼ | c, y<ⱼ) under the model with
 * the given adapters — the same quantity `causalLmLoss` averages, kept per sequence here.
 *
 * Sequences are packed right-padded into batches of at most `batchSize` sequences and `maxBatchTokens` padded tokens
 * (B·T), in input order; causal attention means padding after a sequence never changes its scores. The token budget
 * keeps long in-context prompts from building [B, heads, T, T] attention tensors of hundreds of MB (and the
 * WebAssembly heap, which never shrinks, from growing to match). A context too long for the model keeps its last
 * tokens (left truncation).
 *
 * Dimension letters: B batch, T padded length, D hidden, V vocab, M rows that predict a continuation token.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import { gatherRows, type LlamaModel, type LoraAdapter, tf } from '@meta-lora/lora-core';

export interface ScoredSequence {
  /** Token ids the continuation is conditioned on (BOS included when the model wants one). */
  readonly context: readonly number[];
  /** Token ids whose log-likelihood is summed; at least one. */
  readonly continuation: readonly number[];
}

export interface SequenceScore {
  /** Σ log p(continuation tokens | context), natural log. */
  readonly logLikelihood: number;
  /** Continuation tokens scored. */
  readonly numTokens: number;
}

export interface SequenceScoreOptions {
  readonly adapters?: readonly LoraAdapter[];
  /** Sequences per forward pass (default 8). */
  readonly batchSize?: number;
  /** Padded tokens (B·T) per forward pass (default 2048); a single longer sequence still goes alone. */
  readonly maxBatchTokens?: number;
}

/** Default `maxBatchTokens`: 8 sequences of 256 tokens, or 2 of 1,024. */
export const MAX_BATCH_TOKENS = 2048;

/**
 * Scores each sequence's continuation.
 *
 * @example
 * const [s] = scoreSequences(model, [{ context: [1, 5, 6], continuation: [9, 2] }]); // s.logLikelihood < 0
 */
export function scoreSequences(
  model: LlamaModel,
  sequences: readonly ScoredSequence[],
  options: SequenceScoreOptions = {},
): SequenceScore[] {
  const maxLen = maxSequenceLength(model);
  const fitted = sequences.map((s, i) => fit(s, i, maxLen));
  const out: SequenceScore[] = [];
  for (const batch of packBatches(fitted, options.batchSize ?? 8, options.maxBatchTokens ?? MAX_BATCH_TOKENS)) {
    out.push(...scoreBatch(model, batch, options.adapters ?? []));
  }
  return out;
}

/**
 * Consecutive runs of `sequences` with at most `batchSize` sequences and at most `maxBatchTokens` padded tokens
 * (count × longest) each; a sequence longer than the budget forms a batch of its own.
 *
 * @example
 * packBatches(seqs, 8, 2048).map((b) => b.length); // e.g. [8, 8, 2, 5]
 */
export function packBatches(
  sequences: readonly ScoredSequence[],
  batchSize: number,
  maxBatchTokens: number,
): ScoredSequence[][] {
  const batches: ScoredSequence[][] = [];
  let batch: ScoredSequence[] = [];
  let longest = 0;
  for (const s of sequences) {
    const length = s.context.length + s.continuation.length;
    const padded = (batch.length + 1) * Math.max(longest, length);
    if (batch.length > 0 && (batch.length === batchSize || padded > maxBatchTokens)) {
      batches.push(batch);
      batch = [];
      longest = 0;
    }
    batch.push(s);
    longest = Math.max(longest, length);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The longest sequence the model accepts: its position limit, or its sliding window when smaller. */
export function maxSequenceLength(model: LlamaModel): number {
  return Math.min(model.config.maxPositions, model.config.slidingWindow ?? Number.POSITIVE_INFINITY);
}

function fit(s: ScoredSequence, index: number, maxLen: number): ScoredSequence {
  if (s.continuation.length === 0 || s.context.length === 0) {
    throw new MetaLoraError(
      'EMPTY_TASK',
      `sequence ${index}: ${s.context.length === 0 ? 'context' : 'continuation'} has no tokens`,
      {
        field: s.context.length === 0 ? 'context' : 'continuation',
        fix: 'every example needs a non-empty prompt (BOS counts) and a non-empty target',
      },
    );
  }
  if (s.continuation.length >= maxLen) {
    throw new MetaLoraError(
      'DATA_INVALID',
      `sequence ${index}: continuation of ${s.continuation.length} tokens does not fit the model's ${maxLen} positions`,
      {
        field: 'target',
        value: s.continuation.length,
        fix: 'shorten the targets or use a model with a longer context',
      },
    );
  }
  const room = maxLen - s.continuation.length;
  return s.context.length <= room
    ? s
    : { context: s.context.slice(s.context.length - room), continuation: s.continuation };
}

function scoreBatch(
  model: LlamaModel,
  batch: readonly ScoredSequence[],
  adapters: readonly LoraAdapter[],
): SequenceScore[] {
  const B = batch.length;
  const T = Math.max(...batch.map((s) => s.context.length + s.continuation.length));
  const ids = new Int32Array(B * T);
  const rows: number[] = [];
  const targets: number[] = [];
  const owner: number[] = [];
  batch.forEach((s, b) => {
    const seq = [...s.context, ...s.continuation];
    ids.set(seq, b * T);
    // Position t predicts token t + 1: the continuation tokens are predicted from positions |c|−1 … |c|+m−2.
    for (let j = 0; j < s.continuation.length; j++) {
      rows.push(b * T + s.context.length - 1 + j);
      targets.push(s.continuation[j] as number);
      owner.push(b);
    }
  });
  const picked = tf.tidy(() => {
    const input = tf.tensor2d(ids, [B, T], 'int32'); // [B, T]
    const hidden = model.hidden(input, { adapters }); // [B·T, D]
    const logp = tf.logSoftmax(model.project(gatherRows(hidden, Int32Array.from(rows)))); // [M, V]
    const V = model.config.vocabSize;
    const flat = Int32Array.from(targets, (y, m) => m * V + y);
    return tf.gather(tf.reshape(logp, [-1]), tf.tensor1d(flat, 'int32')); // [M]
  });
  const values = picked.dataSync() as Float32Array;
  picked.dispose();
  const sums = new Float64Array(B);
  const counts = new Int32Array(B);
  owner.forEach((b, m) => {
    sums[b] = (sums[b] as number) + (values[m] as number);
    counts[b] = (counts[b] as number) + 1;
  });
  return Array.from(sums, (logLikelihood, b) => ({ logLikelihood, numTokens: counts[b] as number }));
}
