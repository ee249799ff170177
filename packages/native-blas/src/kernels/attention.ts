/**
 * Causal self-attention with grouped KV heads and RoPE, no KV cache (`ATTENTION_KERNEL`): one addon call where the
 * op-by-op block runs about forty kernels. It also returns the gradient's operands.
 *
 * Dimension letters: B batch, T time, H query heads, KV key/value heads, d head dim, m = (H / KV)·T.
 */
import {
  ATTENTION_KERNEL,
  type AttentionAttrs,
  type AttentionInputs,
  type AttentionOutputs,
} from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { attentionDims } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const attentionConfig: FusedKernelConfig = {
  kernelName: ATTENTION_KERNEL,
  kernelFunc: ({ tf, blas }, args): AttentionOutputs<tfc.TensorInfo> => {
    const { q, k, v, cos, sin } = args.inputs as AttentionInputs<tfc.TensorInfo>;
    const attrs = args.attrs as AttentionAttrs;
    const backend = wasmBackend(args);
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
    const o = (t: tfc.TensorInfo) => offset(backend, t);
    const at = {
      q: o(q),
      k: o(k),
      v: o(v),
      cos: o(cos),
      sin: o(sin),
      ctx: o(ctx),
      probs: o(probs),
      qr: o(qr),
      kr: o(kr),
      vg: o(vg),
    };
    blas.attention(heap(backend), dims, at, attrs.scale);
    return [ctx, probs, qr, kr, vg];
  },
};
