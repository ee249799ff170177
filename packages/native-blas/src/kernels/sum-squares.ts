/** `Σ x²` over all its inputs (`SUM_SQUARES_KERNEL`), accumulated in float64 by the addon, as a float32 scalar. */
import { SUM_SQUARES_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';

export const sumSquaresConfig = fusedKernel(SUM_SQUARES_KERNEL, ({ tf, blas, backend, heap, offset }, inputs) => {
  const xs = Object.values(inputs);
  tf.util.assert(
    xs.every((x) => x.dtype === 'float32'),
    () => `${SUM_SQUARES_KERNEL}: operands must be float32, got ${xs.map((x) => x.dtype).join(', ')}`,
  );
  const sizes = xs.map((x) => tf.util.sizeFromShape(x.shape));
  const total = blas.sumSquares(
    heap(),
    xs.map((x, i) => ((sizes[i] as number) > 0 ? offset(x) : 0)),
    sizes,
  );
  const out = backend.makeOutput([], 'float32');
  new Float32Array(heap(), offset(out) * 4, 1)[0] = total;
  return out;
});
