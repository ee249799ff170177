/**
 * The gradient of the LoRA projection (`LORA_LINEAR_GRAD_KERNEL`) for upstream dy: with dh = s·dy b, dB = s·dyᵀh,
 * dA = dhᵀx, dx = dy W + dh a; five GEMMs in one addon call.
 *
 * Dimension letters: N rows, I in features, O out features, r LoRA rank.
 */
import { LORA_LINEAR_GRAD_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { loraDims, sameShape } from './operand-checks.ts';

export const loraLinearGradConfig = fusedKernel(
  LORA_LINEAR_GRAD_KERNEL,
  ({ tf, blas, backend, heap, offset, offsets }, { dy, x, h, weight, a, b }, { scaling }) => {
    const dims = loraDims(tf, x, weight, a, b, false);
    tf.util.assert(
      dy.dtype === 'float32' &&
        h.dtype === 'float32' &&
        sameShape(dy.shape, [dims.n, dims.out]) &&
        sameShape(h.shape, [dims.n, dims.r]),
      () =>
        `${LORA_LINEAR_GRAD_KERNEL}: dy must be float32 [${dims.n}, ${dims.out}] and h float32 [${dims.n}, ${dims.r}], got ${dy.dtype}[${dy.shape}] and ${h.dtype}[${h.shape}]`,
    );
    const dx = backend.makeOutput([dims.n, dims.in], 'float32'); // [N, I]
    const da = backend.makeOutput([dims.r, dims.in], 'float32'); // [r, I]
    const db = backend.makeOutput([dims.out, dims.r], 'float32'); // [O, r]
    if (dims.n > 0) {
      blas.loraLinearGrad(heap(), dims, offsets({ dy, x, h, weight, a, b, dx, da, db }), scaling);
    } else {
      // No rows: the factors' gradients are zero (sgemm with k = 0 would leave them unwritten).
      for (const t of [da, db]) new Float32Array(heap(), offset(t) * 4, tf.util.sizeFromShape(t.shape)).fill(0);
    }
    return [dx, da, db];
  },
);
