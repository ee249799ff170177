/**
 * Greedy generation for a batch of prompts at once: the prompts are left-padded to the longest, the padded positions
 * are masked as keys (`KvCache.padding`), and each step decodes one token for every row still running. A row stops at
 * an EOS id, when `stopAfter` says so, or after `maxNewTokens`; the rows that stop leave the batch (their cache rows
 * are dropped), so the last long answer does not drag the finished ones along.
 *
 * Each row's ids equal `generate`'s for that prompt up to float rounding: RoPE sees only distances between positions,
 * so the padding shifts nothing, but the batched products round differently, and a near-tie of two logits can go the
 * other way.
 *
 * With a `prefix` (the cache of tokens every prompt follows, from `prefixCache`), each row starts from a copy of that
 * cache and runs only its own prompt: an in-context prompt's demonstrations run once, not once per row. Such prompts
 * must have one length, since padding between the prefix and a row's tokens would move the row's positions.
 *
 * Dimension letters: B rows still running, L longest prompt, D hidden, V vocab.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { LoraAdapter } from '../lora/lora-adapter.ts';
import { KvCache } from '../model/kv-cache.ts';
import type { LlamaModel } from '../model/llama-model.ts';
import { tf } from '../runtime/tf.ts';
import { argmax, checkGenerationInput } from './generate.ts';
import { repeatCache } from './prefix-cache.ts';

export interface GenerateBatchOptions {
  readonly maxNewTokens: number;
  /** Stop a row when one of these is generated (defaults to the config's eos_token_id; [] disables). */
  readonly eosTokenIds?: readonly number[];
  readonly adapters?: readonly LoraAdapter[];
  /** Called with a row's index and its ids so far after each new one; `true` stops that row there (that id kept). */
  readonly stopAfter?: (row: number, ids: readonly number[]) => boolean;
  /**
   * The batch-1 cache (`prefixCache`) of tokens that precede every prompt, run under the same adapters; the prompts
   * are then only what follows it, all of one length. Left as it is: the caller disposes it.
   */
  readonly prefix?: KvCache;
}

/**
 * Greedy continuations of every prompt (only the new ids, EOS included when hit), in the order of `prompts`.
 *
 * @example
 * const [a, b] = generateGreedyBatch(model, [[1, 42, 7], [1, 9]], { maxNewTokens: 16 });
 */
export function generateGreedyBatch(
  model: LlamaModel,
  prompts: readonly (readonly number[])[],
  options: GenerateBatchOptions,
): number[][] {
  for (const p of prompts) checkGenerationInput(model, p, options.maxNewTokens);
  const outs: number[][] = prompts.map(() => []);
  if (prompts.length === 0 || options.maxNewTokens === 0) return outs;
  const eos = new Set(options.eosTokenIds ?? model.config.eosTokenIds);
  const adapters = options.adapters ?? [];
  const L = Math.max(...prompts.map((p) => p.length));
  const rows0 = options.prefix?.keys[0]?.shape[0];
  if (options.prefix && (options.prefix.padding !== null || options.prefix.length === 0 || rows0 !== 1)) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `a shared prefix must be a filled batch-1 cache without padding, got ${rows0 ?? 0} rows of ${options.prefix.length} positions${options.prefix.padding ? ', padded' : ''}`,
      { field: 'prefix', fix: 'build it with prefixCache(model, ids, { adapters })' },
    );
  }
  if (options.prefix && prompts.some((p) => p.length !== L)) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `prompts after a shared prefix must have one length, got ${[...new Set(prompts.map((p) => p.length))].join(', ')}`,
      { field: 'prefix', fix: 'group the prompts by length, one call per length' },
    );
  }
  const cache = options.prefix ? repeatCache(options.prefix, prompts.length) : new KvCache(model.config.numLayers);
  if (!options.prefix) cache.padding = prompts.map((p) => L - p.length);
  let rows = prompts.map((_, i) => i); // the prompts still running, in batch order
  let next = prompts.map((p) => [...new Array<number>(L - p.length).fill(0), ...p]);
  try {
    for (let step = 0; step < options.maxNewTokens && rows.length > 0; step++) {
      const T = next[0]!.length;
      const logits = tf.tidy(() => {
        const ids = tf.tensor2d(Int32Array.from(next.flat()), [rows.length, T], 'int32'); // [B, T]
        const hidden = model.hidden(ids, { adapters, cache }); // [B·T, D]
        const last = tf.gather(
          hidden,
          rows.map((_, b) => b * T + T - 1),
        ) as tf.Tensor2D; // [B, D]
        return model.project(last); // [B, V]
      });
      const flat = logits.dataSync() as Float32Array;
      logits.dispose();
      const V = flat.length / rows.length;
      const keep: number[] = [];
      rows.forEach((row, b) => {
        const id = argmax(flat.subarray(b * V, (b + 1) * V));
        const out = outs[row]!;
        out.push(id);
        if (!eos.has(id) && !options.stopAfter?.(row, out) && out.length < options.maxNewTokens) keep.push(b);
      });
      if (keep.length < rows.length) dropRows(cache, keep);
      rows = keep.map((b) => rows[b]!);
      next = rows.map((row) => [outs[row]!.at(-1)!]);
    }
  } finally {
    cache.dispose();
  }
  return outs;
}

/** Keeps only batch rows `keep` of the cache's keys, values and padding. */
function dropRows(cache: KvCache, keep: readonly number[]): void {
  const index = tf.tensor1d(Int32Array.from(keep), 'int32');
  const take = (t: tf.Tensor4D | null) => (t && keep.length > 0 ? (tf.gather(t, index, 0) as tf.Tensor4D) : null);
  for (let l = 0; l < cache.keys.length; l++) {
    const k = cache.keys[l] ?? null;
    const v = cache.values[l] ?? null;
    cache.keys[l] = take(k); // [B', KV, S, d]
    cache.values[l] = take(v); // [B', KV, S, d]
    k?.dispose();
    v?.dispose();
  }
  index.dispose();
  if (cache.padding) cache.padding = keep.map((b) => cache.padding![b]!);
}
