/**
 * Log-likelihood of continuations given contexts: the primitive behind label scoring (classification) and the
 * target-token loss. For a context c and continuation y₁…y_m the score is Σⱼ log p(yⱼ | c, y<ⱼ) under the model with
 * the given adapters — the same quantity `causalLmLoss` averages, kept per sequence here.
 *
 * Sequences are packed right-padded into batches of at most `batchSize` sequences and `maxBatchTokens` padded tokens
 * (B·T), in input order; causal attention means padding after a sequence never changes its scores. The token budget
 * keeps long in-context prompts from building [B, heads, T, T] attention tensors of hundreds of MB (and the
 * WebAssembly heap, which never shrinks, from growing to match). A context too long for the model keeps its last
 * tokens (left truncation). With a shared prefix, the sequences that start with it run it once into a KV cache and
 * then only their own tokens; those cut to fit the model are grouped by how many tokens they lost, since each group
 * still shares the rest of the prefix. Consecutive sequences with one and the same long context (over
 * `maxBatchTokens / batchSize` tokens) run that context once and then only their continuations, in the same way.
 *
 * Dimension letters: B batch, T padded length, D hidden, V vocab, M rows that predict a continuation token.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import {
  gatherRows,
  type KvCache,
  type LlamaModel,
  type LoraAdapter,
  prefixCache,
  repeatCache,
  tf,
} from '@meta-lora/lora-core';

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
  /**
   * Token ids many contexts start with (an in-context prompt's BOS and demonstrations). The prefix runs once into a KV
   * cache, and each sequence whose context starts with it runs only its own tokens after it; equal to scoring the
   * whole sequence up to float rounding. A sequence too long for the model loses its first tokens, so the sequences
   * that lose the same number (c < prefix length) share the prefix's last tokens from c on, run once per such group of
   * two or more. The others are scored whole.
   */
  readonly sharedPrefix?: readonly number[];
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
  const adapters = options.adapters ?? [];
  const batchSize = options.batchSize ?? 8;
  const maxBatchTokens = options.maxBatchTokens ?? MAX_BATCH_TOKENS;
  const prefix = options.sharedPrefix ?? [];
  const { groups: byCut, others } = prefixGroups(
    sequences.map((s) => s.context),
    fitted.map((s) => s.context),
    prefix,
  );
  const { whole, groups } = longContextGroups(fitted, others, Math.max(1, Math.floor(maxBatchTokens / batchSize)));
  const out: SequenceScore[] = new Array(fitted.length);
  let next = 0;
  for (const batch of packBatches(
    whole.map((i) => fitted[i] as ScoredSequence),
    batchSize,
    maxBatchTokens,
  )) {
    for (const score of scoreBatch(model, batch, adapters)) out[whole[next++] as number] = score;
  }
  for (const group of groups) {
    // The context but its last token runs once; each sequence then runs that token and its continuation.
    const context = (fitted[group[0] as number] as ScoredSequence).context;
    const suffixes = group.map((i) => ({
      context: context.slice(-1),
      continuation: (fitted[i] as ScoredSequence).continuation,
    }));
    scoreAfterPrefix(model, context.slice(0, -1), suffixes, adapters, batchSize, maxBatchTokens).forEach((score, j) => {
      out[group[j] as number] = score;
    });
  }
  for (const { cut, members: group } of byCut) {
    const kept = prefix.slice(cut); // what the group's fitted contexts start with
    const suffixes = group.map((i) => {
      const s = fitted[i] as ScoredSequence;
      return { context: s.context.slice(kept.length), continuation: s.continuation };
    });
    scoreAfterPrefix(model, kept, suffixes, adapters, batchSize, maxBatchTokens).forEach((score, j) => {
      out[group[j] as number] = score;
    });
  }
  return out;
}

/**
 * The sequences that share what is left of `prefix` once cut to fit: those whose context starts with it and keeps
 * tokens after it in `fitted` (the same context without its first tokens), grouped by the number of tokens cut (0
 * when uncut) and, with `byLength`, by fitted length (rows after a shared cache cannot be padded). Groups of one join
 * the others. Groups in the order of their first member; members and others in input order.
 *
 * @example
 * prefixGroups([[1, 7, 8, 3], [1, 7, 8, 4]], [[1, 7, 8, 3], [1, 7, 8, 4]], [1, 7, 8]); // { groups: [{ cut: 0, members: [0, 1] }], others: [] }
 */
export function prefixGroups(
  contexts: readonly (readonly number[])[],
  fitted: readonly (readonly number[])[],
  prefix: readonly number[],
  byLength = false,
): { groups: { cut: number; members: number[] }[]; others: number[] } {
  const byKey = new Map<string, { cut: number; members: number[] }>();
  contexts.forEach((context, i) => {
    const length = (fitted[i] as readonly number[]).length;
    const cut = context.length - length;
    if (cut >= prefix.length || context.length <= prefix.length || !startsWith(context, prefix)) return;
    const key = byLength ? `${cut}:${length}` : `${cut}`;
    const group = byKey.get(key) ?? { cut, members: [] };
    group.members.push(i);
    byKey.set(key, group);
  });
  const groups = [...byKey.values()].filter((g) => g.members.length > 1);
  const grouped = new Set(groups.flatMap((g) => g.members));
  return { groups, others: contexts.flatMap((_, i) => (grouped.has(i) ? [] : [i])) };
}

/**
 * Splits the sequences `indices` (in order) into runs of two or more consecutive ones with one and the same context of
 * more than `longer` tokens (the choices of one classification example whose in-context prompt was cut to fit the
 * model), and the rest, which are scored whole.
 */
function longContextGroups(
  fitted: readonly ScoredSequence[],
  indices: readonly number[],
  longer: number,
): { whole: number[]; groups: number[][] } {
  const whole: number[] = [];
  const groups: number[][] = [];
  let run: number[] = [];
  const flush = () => {
    const context = run.length > 0 ? (fitted[run[0] as number] as ScoredSequence).context : [];
    if (run.length >= 2 && context.length > longer) groups.push(run);
    else whole.push(...run);
    run = [];
  };
  for (const i of indices) {
    const last = run.at(-1);
    const context = (fitted[i] as ScoredSequence).context;
    const previous = last === undefined ? undefined : (fitted[last] as ScoredSequence).context;
    if (last !== i - 1 || previous?.length !== context.length || !startsWith(context, previous)) flush();
    run.push(i);
  }
  flush();
  return { whole, groups };
}

function startsWith(ids: readonly number[], prefix: readonly number[]): boolean {
  return prefix.every((id, i) => ids[i] === id);
}

/**
 * Scores sequences that all follow `prefix`: the prefix runs once (batch 1) into a KV cache; each batch of suffixes
 * gets a copy of that cache repeated over its rows and runs only its own tokens, right-padded.
 */
function scoreAfterPrefix(
  model: LlamaModel,
  prefix: readonly number[],
  suffixes: readonly ScoredSequence[],
  adapters: readonly LoraAdapter[],
  batchSize: number,
  maxBatchTokens: number,
): SequenceScore[] {
  const shared = prefixCache(model, prefix, { adapters });
  try {
    const out: SequenceScore[] = [];
    for (const batch of packBatches(suffixes, batchSize, maxBatchTokens)) {
      const cache = repeatCache(shared, batch.length); // [B, KV, P, d] per layer
      try {
        out.push(...scoreBatch(model, batch, adapters, cache));
      } finally {
        cache.dispose();
      }
    }
    return out;
  } finally {
    shared.dispose();
  }
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

/** Scores one right-padded batch; with `cache`, the batch's tokens follow the cached positions in every row. */
function scoreBatch(
  model: LlamaModel,
  batch: readonly ScoredSequence[],
  adapters: readonly LoraAdapter[],
  cache?: KvCache,
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
    const hidden = model.hidden(input, cache ? { adapters, cache } : { adapters }); // [B·T, D]
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
