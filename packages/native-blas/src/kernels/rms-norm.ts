/**
 * RMSNorm over the last axis (`RMS_NORM_KERNEL`): per row r = 1/√(mean(x²) + eps), y = x·r·w, in one addon call; `r`
 * is an output, kept for the gradient.
 *
 * Dimension letters: N rows, D width.
 */
import { RMS_NORM_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { checkNorm } from './operand-checks.ts';

export const rmsNormConfig = fusedKernel(
  RMS_NORM_KERNEL,
  ({ tf, blas, backend, heap, offset }, { x, weight }, attrs) => {
    const d = x.shape[x.shape.length - 1] as number;
    checkNorm(tf, x, weight);
    const rows = tf.util.sizeFromShape(x.shape) / d;
    const y = backend.makeOutput([...x.shape], 'float32'); // [N, D]
    const r = backend.makeOutput(x.shape.slice(0, -1), 'float32'); // [N]
    if (rows > 0) blas.rmsNorm(heap(), offset(x), offset(weight), offset(y), offset(r), rows, d, attrs.eps);
    return [y, r];
  },
);
