/** `Σ x²` over all its inputs (`SUM_SQUARES_KERNEL`), accumulated in float64 by the addon, as a float32 scalar. */
import { SUM_SQUARES_KERNEL, type SumSquaresInputs, type SumSquaresOutputs } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const sumSquaresConfig: FusedKernelConfig = {
  kernelName: SUM_SQUARES_KERNEL,
  kernelFunc: ({ tf, blas }, args): SumSquaresOutputs<tfc.TensorInfo> => {
    const xs = Object.values(args.inputs as SumSquaresInputs<tfc.TensorInfo>);
    const backend = wasmBackend(args);
    tf.util.assert(
      xs.every((x) => x.dtype === 'float32'),
      () => `${SUM_SQUARES_KERNEL}: operands must be float32, got ${xs.map((x) => x.dtype).join(', ')}`,
    );
    const sizes = xs.map((x) => tf.util.sizeFromShape(x.shape));
    const total = blas.sumSquares(
      heap(backend),
      xs.map((x, i) => ((sizes[i] as number) > 0 ? offset(backend, x) : 0)),
      sizes,
    );
    const out = backend.makeOutput([], 'float32');
    new Float32Array(heap(backend), offset(backend, out) * 4, 1)[0] = total;
    return out;
  },
};
