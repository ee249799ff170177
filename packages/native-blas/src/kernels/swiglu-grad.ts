/**
 * The gradient of SwiGLU for upstream `dy` (`SWIGLU_GRAD_KERNEL`): with s = sigmoid(gate), dUp = dy·gate·s and
 * dGate = dy·up·s·(1 + gate·(1 − s)), in one addon call.
 */
import { SWIGLU_GRAD_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { checkSameFloat32 } from './operand-checks.ts';

export const swigluGradConfig = fusedKernel(
  SWIGLU_GRAD_KERNEL,
  ({ tf, blas, backend, heap, offset }, { dy, gate, up }) => {
    checkSameFloat32(tf, SWIGLU_GRAD_KERNEL, [dy, gate, up]);
    const dGate = backend.makeOutput([...gate.shape], 'float32');
    const dUp = backend.makeOutput([...gate.shape], 'float32');
    const n = tf.util.sizeFromShape(gate.shape);
    if (n > 0) blas.swigluGrad(heap(), offset(dy), offset(gate), offset(up), offset(dGate), offset(dUp), n);
    return [dGate, dUp];
  },
);
