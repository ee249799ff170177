/**
 * The key/value cache of incremental decoding: per layer, the keys (RoPE applied) and values of every position seen
 * so far, which `LlamaModel` reads and appends to when a forward call passes it.
 *
 * Dimension letters: B batch, KV key/value heads, S cached positions, d head dim.
 */
import type { tf } from '../runtime/tf.ts';

/**
 * Per-layer keys and values of the positions seen so far, for incremental decoding.
 *
 * @example
 * const cache = new KvCache(model.config.numLayers);
 * model.logits(prompt, { cache }); // then one token at a time, with the same cache
 * cache.dispose();
 */
export class KvCache {
  readonly keys: (tf.Tensor4D | null)[]; // per layer [B, KV, S, d], RoPE applied
  readonly values: (tf.Tensor4D | null)[]; // per layer [B, KV, S, d]
  length = 0;
  /**
   * Per batch row, how many leading positions are padding (a batch of prompts of different lengths, left-padded):
   * no query attends to them. Null when no row is padded.
   */
  padding: readonly number[] | null = null;

  constructor(numLayers: number) {
    this.keys = new Array(numLayers).fill(null);
    this.values = new Array(numLayers).fill(null);
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(null);
    this.values.fill(null);
    this.length = 0;
    this.padding = null;
  }
}
