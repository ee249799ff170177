/**
 * A prefix many sequences share (an in-context prompt's demonstrations), run once: its batch-1 KV cache, and copies of
 * it over the rows of a batch whose tokens all follow that prefix. Scoring or decoding a batch after the copied cache
 * equals running each row's prefix and tokens whole, up to float rounding: every row's positions are the same.
 *
 * Dimension letters: P prefix length, B batch rows, KV key/value heads, d head dim, D hidden.
 */
import type { LoraAdapter } from '../lora/lora-adapter.ts';
import { KvCache } from '../model/kv-cache.ts';
import type { LlamaModel } from '../model/llama-model.ts';
import { tf } from '../runtime/tf.ts';

/**
 * The KV cache of `ids` run once at batch 1 under `adapters`; the caller disposes it.
 *
 * @example
 * const prefix = prefixCache(model, demonstrations, { adapters });
 * generateGreedyBatch(model, suffixes, { maxNewTokens: 8, prefix }); // every suffix follows the demonstrations
 * prefix.dispose();
 */
export function prefixCache(
  model: LlamaModel,
  ids: readonly number[],
  options: { readonly adapters?: readonly LoraAdapter[] } = {},
): KvCache {
  const cache = new KvCache(model.config.numLayers);
  try {
    tf.tidy(() => {
      const input = tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32'); // [1, P]
      model.hidden(input, { adapters: options.adapters ?? [], cache }); // [P, D]
    });
  } catch (error) {
    cache.dispose();
    throw error;
  }
  return cache;
}

/**
 * A new cache holding `rows` copies of a batch-1 cache's keys and values (the same positions in every row, no
 * padding); `shared` is left as it is. Copies by concatenation: wasm's tile kernel is ~10× slower.
 */
export function repeatCache(shared: KvCache, rows: number): KvCache {
  const cache = new KvCache(shared.keys.length);
  cache.length = shared.length;
  const repeat = (x: tf.Tensor4D | null) =>
    x === null ? null : rows === 1 ? tf.clone(x) : tf.concat(new Array<tf.Tensor4D>(rows).fill(x), 0); // [rows, KV, P, d]
  try {
    for (let l = 0; l < shared.keys.length; l++) {
      cache.keys[l] = repeat(shared.keys[l] ?? null);
      cache.values[l] = repeat(shared.values[l] ?? null);
    }
  } catch (error) {
    cache.dispose();
    throw error;
  }
  return cache;
}
