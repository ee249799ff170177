/**
 * The gradient of RMSNorm for `x` (`RMS_NORM_GRAD_KERNEL`): per row dx = r·w·dy − x·r³/D·Σ(dy·w·x), in one addon call.
 *
 * Dimension letters: N rows, D width.
 */
import { RMS_NORM_GRAD_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { checkNorm, checkSameFloat32 } from './operand-checks.ts';

export const rmsNormGradConfig = fusedKernel(
  RMS_NORM_GRAD_KERNEL,
  ({ tf, blas, backend, heap, offset }, { dy, x, weight, r }) => {
    const d = x.shape[x.shape.length - 1] as number;
    checkNorm(tf, x, weight);
    checkSameFloat32(tf, RMS_NORM_GRAD_KERNEL, [dy, x]);
    const rows = tf.util.sizeFromShape(x.shape) / d;
    const dx = backend.makeOutput([...x.shape], 'float32'); // [N, D]
    if (rows > 0) blas.rmsNormGrad(heap(), offset(dy), offset(x), offset(weight), offset(r), offset(dx), rows, d);
    return dx;
  },
);
