/**
 * The gradient of attention (`ATTENTION_GRAD_KERNEL`) from the forward's saved operands: dV = Pᵀ dC, dP = dC Vᵀ,
 * dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale, dQ = dS K, dK = dSᵀ Q, then RoPE transposed on dQ and dK; one addon call.
 *
 * Dimension letters: B batch, T time, H query heads, KV key/value heads, d head dim, m = (H / KV)·T.
 */
import { ATTENTION_GRAD_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { attentionDims } from './operand-checks.ts';

export const attentionGradConfig = fusedKernel(
  ATTENTION_GRAD_KERNEL,
  ({ tf, blas, backend, heap, offsets }, inputs, attrs) => {
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
    blas.attentionGrad(heap(), dims, offsets({ dctx, probs, qr, kr, vg, cos, sin, dq, dk, dv }), attrs.scale);
    return [dq, dk, dv];
  },
);
