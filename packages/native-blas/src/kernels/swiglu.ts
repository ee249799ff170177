/** SwiGLU, `silu(gate) ⊙ up`, in one addon call (`SWIGLU_KERNEL` of the contract in `@meta-lora/artifacts`). */
import { SWIGLU_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { checkSameFloat32 } from './operand-checks.ts';

export const swigluConfig = fusedKernel(SWIGLU_KERNEL, ({ tf, blas, backend, heap, offset }, { gate, up }) => {
  checkSameFloat32(tf, SWIGLU_KERNEL, [gate, up]);
  const out = backend.makeOutput([...gate.shape], 'float32');
  const n = tf.util.sizeFromShape(gate.shape);
  if (n > 0) blas.swiglu(heap(), offset(gate), offset(up), offset(out), n);
  return out;
});
