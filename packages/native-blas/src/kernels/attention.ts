/**
 * Causal self-attention with grouped KV heads and RoPE, no KV cache (`ATTENTION_KERNEL`): one addon call where the
 * op-by-op block runs about forty kernels. It also returns the gradient's operands.
 *
 * Dimension letters: B batch, T time, H query heads, KV key/value heads, d head dim, m = (H / KV)·T.
 */
import { ATTENTION_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { attentionDims } from './operand-checks.ts';

export const attentionConfig = fusedKernel(
  ATTENTION_KERNEL,
  ({ tf, blas, backend, heap, offsets }, { q, k, v, cos, sin }, attrs) => {
    const dims = attentionDims(tf, ATTENTION_KERNEL, attrs, q, k, cos, sin);
    tf.util.assert(
      v.dtype === 'float32' && tf.util.arraysEqual(v.shape, k.shape),
      () => `${ATTENTION_KERNEL}: v must be float32 of k's shape [${k.shape}], got ${v.dtype}[${v.shape}]`,
    );
    const { batch: B, time: T, kvHeads: KV, headDim: d } = dims;
    const m = (dims.heads / KV) * T;
    const ctx = backend.makeOutput([...q.shape], 'float32'); // [B·T, H·d]
    const probs = backend.makeOutput([B, KV, m, T], 'float32');
    const qr = backend.makeOutput([B, KV, m, d], 'float32');
    const kr = backend.makeOutput([B, KV, T, d], 'float32');
    const vg = backend.makeOutput([B, KV, T, d], 'float32');
    blas.attention(heap(), dims, offsets({ q, k, v, cos, sin, ctx, probs, qr, kr, vg }), attrs.scale);
    return [ctx, probs, qr, kr, vg];
  },
);
