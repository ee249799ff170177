/**
 * Causal self-attention of a Llama layer as one op with a hand-written gradient, where the backend has the fused
 * kernels (`@meta-lora/native-blas` registers them on wasm): RoPE on the query and key projections, grouped KV heads
 * (HF `repeat_kv` order), `softmax(QKᵀ/√d)` over the keys at or before each position, and the context merged back to
 * [B·T, H·d] — one kernel call each way where the op-by-op block runs about forty. It attends to the call's own positions
 * only: a call that starts a KV cache can use it (`fusedAttentionStartingCache`), one that attends to cached positions
 * takes the op-by-op path (`layer-attention.ts`).
 *
 * Dimension letters: B batch, T time, H heads, KV key/value heads, d head dim.
 */

import {
  ATTENTION_GRAD_KERNEL,
  ATTENTION_KERNEL,
  type AttentionAttrs,
  type AttentionGradInputs,
  type AttentionInputs,
} from '@meta-lora/artifacts';
import { hasKernels } from '../kernels/has-kernels.ts';
import { tf } from '../runtime/tf.ts';

/** The shape of an attention call. */
export interface AttentionShape {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
}

/**
 * True when the backend has both fused attention kernels.
 *
 * @example
 * hasFusedAttention(); // true on wasm with the native addon
 */
export function hasFusedAttention(): boolean {
  return hasKernels(ATTENTION_KERNEL, ATTENTION_GRAD_KERNEL);
}

/**
 * The attention context of one layer from its projections; gradients flow to `q`, `k` and `v`.
 *
 * @example
 * const ctx = fusedAttention(q, k, v, cos, sin, { batch: 2, heads: 4, kvHeads: 2 }); // [B·T, H·d]
 */
export function fusedAttention(
  q: tf.Tensor2D, // [B·T, H·d]
  k: tf.Tensor2D, // [B·T, KV·d]
  v: tf.Tensor2D, // [B·T, KV·d]
  cos: tf.Tensor2D, // [T, d]
  sin: tf.Tensor2D, // [T, d]
  shape: AttentionShape,
): tf.Tensor2D {
  const attrs = attentionAttrs(cos, shape);
  const op = tf.customGrad((...args: unknown[]) => {
    const [qIn, kIn, vIn] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [ctx, probs, qr, kr, vg] = runAttention({ q: qIn, k: kIn, v: vIn, cos, sin }, attrs);
    save([probs, qr, kr, vg, cos, sin] as tf.Tensor[]); // [B, KV, rep·T, T], [B, KV, rep·T, d], [B, KV, T, d] ×2, tables
    return {
      value: ctx as tf.Tensor2D, // [B·T, H·d]
      gradFunc: (dctx: tf.Tensor, saved: tf.Tensor[]) => {
        const [p, qs, ks, vs, c, s] = saved as tf.Tensor[];
        const inputs = { dctx, probs: p, qr: qs, kr: ks, vg: vs, cos: c, sin: s } as AttentionGradInputs<tf.Tensor>;
        return tf.engine().runKernel(ATTENTION_GRAD_KERNEL, inputs, attrs) as tf.Tensor[]; // dq, dk, dv
      },
    };
  });
  return op(q, k, v) as tf.Tensor2D;
}

/**
 * `fusedAttention` for a forward pass that starts a KV cache (no gradient: scoring and decoding): the context, and
 * the keys (RoPE applied) and values that the cache keeps, as the kernel computes them anyway. Only for the first
 * call on an empty cache without a padding array, outside a gradient tape: later calls attend to cached positions,
 * which the kernel does not take.
 *
 * @example
 * const { context, keys, values } = fusedAttentionStartingCache({ q, k, v, cos, sin }, { batch: 1, heads: 4, kvHeads: 2 });
 */
export function fusedAttentionStartingCache(
  inputs: AttentionInputs<tf.Tensor2D>, // q [B·T, H·d], k and v [B·T, KV·d], cos and sin [T, d]
  shape: AttentionShape,
): { context: tf.Tensor2D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const [context, probs, qr, keys, values] = runAttention(inputs, attentionAttrs(inputs.cos, shape)) as [
    tf.Tensor2D, // [N, H·d]
    tf.Tensor, // probs [B, KV, rep·T, T]
    tf.Tensor, // qr [B, KV, rep·T, d]
    tf.Tensor4D, // [B, KV, T, d]
    tf.Tensor4D, // [B, KV, T, d]
  ];
  probs.dispose();
  qr.dispose();
  return { context, keys, values };
}

function attentionAttrs(cos: tf.Tensor2D, shape: AttentionShape): AttentionAttrs {
  return { ...shape, scale: 1 / Math.sqrt(cos.shape[1]) };
}

/** The forward kernel: context [B·T, H·d], probs [B, KV, rep·T, T], qr [B, KV, rep·T, d], kr and vg [B, KV, T, d]. */
function runAttention(inputs: AttentionInputs<tf.Tensor>, attrs: AttentionAttrs): tf.Tensor[] {
  return tf.engine().runKernel(ATTENTION_KERNEL, inputs, attrs) as tf.Tensor[];
}
