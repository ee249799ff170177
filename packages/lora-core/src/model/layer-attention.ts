/**
 * A decoder layer's attention, from its q/k/v projections to the [N, H·d] context. The fused kernel runs where it
 * applies: without a KV cache, and on the first call into an empty cache that has no padding array, outside a
 * gradient tape (the kernel returns the keys and values the cache keeps; that path has no gradient). The op-by-op
 * block runs the rest: calls that attend to cached positions (decoding, scoring after a shared prefix), caches with
 * a padding array (left-padded batches), and cache calls under a gradient tape.
 *
 * Dimension letters: B batch, T new positions, S key positions (cache + new), H query heads, KV key/value heads,
 * rep = H/KV, d head dim, N = B·T rows.
 */
import type { AttentionInputs } from '@meta-lora/artifacts';
import { tf } from '../runtime/tf.ts';
import { fusedAttention, fusedAttentionStartingCache, hasFusedAttention } from './attention.ts';
import type { KvCache } from './kv-cache.ts';
import { applyRope } from './rope.ts';

export interface LayerAttentionCall {
  readonly batch: number;
  /** New positions in this call. */
  readonly time: number;
  /** Positions already in the cache. */
  readonly past: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** The layer's index: its slot in the cache. */
  readonly layer: number;
  readonly cache?: KvCache;
  /** True when the cache has a padding array (left-padded rows; `mask` is then the padded mask). */
  readonly padded: boolean;
  /** The additive mask, [rep·T, S] causal or [B, 1, rep·T, S] padded; built only when the op-by-op block runs. */
  readonly mask: () => tf.Tensor;
}

/**
 * The attention context of one decoder layer, fused where the backend and the call allow, else op by op.
 *
 * @example
 * const ctx = layerAttention(q, k, v, cos, sin, { batch: 2, time: 5, past: 0, heads: 4, kvHeads: 2, headDim: 8,
 *   layer: 0, padded: false, mask: () => causalMask(2, 5, 0) }); // [10, 32]
 */
export function layerAttention(
  q: tf.Tensor2D, // [N, H·d]
  k: tf.Tensor2D, // [N, KV·d]
  v: tf.Tensor2D, // [N, KV·d]
  cos: tf.Tensor2D, // [T, d]
  sin: tf.Tensor2D, // [T, d]
  call: LayerAttentionCall,
): tf.Tensor2D {
  const { cache, layer } = call;
  const shape = { batch: call.batch, heads: call.heads, kvHeads: call.kvHeads };
  const fused = hasFusedAttention();
  if (fused && !cache) return fusedAttention(q, k, v, cos, sin, shape); // [N, H·d]
  if (fused && cache && call.past === 0 && !call.padded && !tf.engine().isTapeOn()) {
    const { context, keys, values } = fusedAttentionStartingCache({ q, k, v, cos, sin }, shape);
    cache.keys[layer]?.dispose();
    cache.values[layer]?.dispose();
    cache.keys[layer] = tf.keep(keys); // [B, KV, T, d]
    cache.values[layer] = tf.keep(values); // [B, KV, T, d]
    return context; // [N, H·d]
  }
  return attentionOpByOp({ q, k, v, cos, sin }, call);
}

/** The op-by-op attention block, appending this call's keys and values to the cache when there is one. */
function attentionOpByOp(
  { q, k, v, cos, sin }: AttentionInputs<tf.Tensor2D>, // [N, H·d], [N, KV·d] ×2, [T, d] ×2
  call: LayerAttentionCall,
): tf.Tensor2D {
  const { batch: B, time: T, heads: H, kvHeads: KV, headDim: d, cache, layer } = call;
  const rep = H / KV;
  // Queries grouped by their key/value head and stacked along time: [B, KV, rep·T, d].
  const qh = applyRope(tf.transpose(tf.reshape(q, [B, T, KV, rep, d]), [0, 2, 3, 1, 4]), cos, sin); // [B, KV, rep, T, d]
  const qg = tf.reshape(qh, [B, KV, rep * T, d]);
  let kh = applyRope(tf.transpose(tf.reshape(k, [B, T, KV, d]), [0, 2, 1, 3]) as tf.Tensor4D, cos, sin); // [B, KV, T, d]
  let vh = tf.transpose(tf.reshape(v, [B, T, KV, d]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, KV, T, d]
  if (cache) {
    const pk = cache.keys[layer];
    const pv = cache.values[layer];
    if (pk && pv) {
      kh = tf.concat([pk, kh], 2); // [B, KV, S, d]
      vh = tf.concat([pv, vh], 2); // [B, KV, S, d]
    }
    pk?.dispose();
    pv?.dispose();
    cache.keys[layer] = tf.keep(kh);
    cache.values[layer] = tf.keep(vh);
  }
  const scores = tf.mul(tf.matMul(qg, tf.transpose(kh, [0, 1, 3, 2])), 1 / Math.sqrt(d)); // [B, KV, rep·T, S]
  const probs = tf.softmax(tf.add(scores, call.mask())); // [B, KV, rep·T, S]
  const ctx = tf.matMul(probs, vh); // [B, KV, rep·T, d]
  return tf.reshape(tf.transpose(tf.reshape(ctx, [B, KV, rep, T, d]), [0, 3, 1, 2, 4]), [B * T, H * d]) as tf.Tensor2D; // [N, H·d]
}
