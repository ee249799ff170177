/**
 * The gradient of attention (`ATTENTION_GRAD_KERNEL`) from the forward's saved operands: dV = Pᵀ dC, dP = dC Vᵀ,
 * dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale, dQ = dS K, dK = dSᵀ Q, then RoPE transposed on dQ and dK; one addon call.
 *
 * Dimension letters: B batch, T time, H query heads, KV key/value heads, d head dim, m = (H / KV)·T.
 */
import {
  ATTENTION_GRAD_KERNEL,
  type AttentionAttrs,
  type AttentionGradInputs,
  type AttentionGradOutputs,
} from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { attentionDims } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const attentionGradConfig: FusedKernelConfig = {
  kernelName: ATTENTION_GRAD_KERNEL,
  kernelFunc: ({ tf, blas }, args): AttentionGradOutputs<tfc.TensorInfo> => {
    const inputs = args.inputs as AttentionGradInputs<tfc.TensorInfo>;
    const attrs = args.attrs as AttentionAttrs;
    const backend = wasmBackend(args);
    const { dctx, probs, qr, kr, vg, cos, sin } = inputs;
    const kvWidth = attrs.kvHeads * ((cos.shape[1] as number) ?? 0);
    const kShape = [dctx.shape[0] as number, kvWidth];
    const dims = attentionDims(tf, ATTENTION_GRAD_KERNEL, attrs, dctx, { dtype: 'float32', shape: kShape }, cos, sin);
    const { batch: B, time: T, kvHeads: KV, headDim: d } = dims;
    const m = (dims.heads / KV) * T;
    const want: Record<string, number[]> = {
      probs: [B, KV, m, T],
      qr: [B, KV, m, d],
      kr: [B, KV, T, d],
      vg: [B, KV, T, d],
    };
    for (const [name, shape] of Object.entries(want)) {
      const t = inputs[name as keyof typeof inputs];
      tf.util.assert(
        t.dtype === 'float32' && tf.util.arraysEqual(t.shape, shape),
        () => `${ATTENTION_GRAD_KERNEL}: ${name} must be float32 [${shape}], got ${t.dtype}[${t.shape}]`,
      );
    }
    const dq = backend.makeOutput([...dctx.shape], 'float32'); // [B·T, H·d]
    const dk = backend.makeOutput(kShape, 'float32'); // [B·T, KV·d]
    const dv = backend.makeOutput(kShape, 'float32'); // [B·T, KV·d]
    const o = (t: tfc.TensorInfo) => offset(backend, t);
    const at = {
      dctx: o(dctx),
      probs: o(probs),
      qr: o(qr),
      kr: o(kr),
      vg: o(vg),
      cos: o(cos),
      sin: o(sin),
      dq: o(dq),
      dk: o(dk),
      dv: o(dv),
    };
    blas.attentionGrad(heap(backend), dims, at, attrs.scale);
    return [dq, dk, dv];
  },
};
