/**
 * One AdamW update of a variable into fresh outputs (`ADAM_STEP_KERNEL`), one addon call where the op-by-op update runs
 * up to fourteen kernels; bit for bit the op-by-op order (native/adam-step.cc).
 */
import { ADAM_STEP_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { checkSameFloat32 } from './operand-checks.ts';

export const adamStepConfig = fusedKernel(
  ADAM_STEP_KERNEL,
  ({ tf, blas, backend, heap, offsets }, { p, g, m, v }, constants) => {
    checkSameFloat32(tf, ADAM_STEP_KERNEL, [p, g, m, v]);
    const pOut = backend.makeOutput([...p.shape], 'float32');
    const mOut = backend.makeOutput([...m.shape], 'float32');
    const vOut = backend.makeOutput([...v.shape], 'float32');
    const n = tf.util.sizeFromShape(p.shape);
    if (n > 0) blas.adamStep(heap(), n, offsets({ p, g, m, v, pOut, mOut, vOut }), constants);
    return [pOut, mOut, vOut];
  },
);
