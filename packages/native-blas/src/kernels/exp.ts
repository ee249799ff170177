/** `Exp` on float32 as a vectorised C++ loop (Cephes expf, within 2 ulp). Other dtypes go to the original kernel. */
import type * as tfc from '@tensorflow/tfjs-core';
import { heap, offset, type ReplacementKernelConfig, wasmBackend } from './wasm-heap.ts';

export const expConfig: ReplacementKernelConfig = {
  kernelName: 'Exp',
  kernelFunc: ({ tf, blas }, args, original) => {
    const { x } = args.inputs as { x: tfc.TensorInfo };
    const backend = wasmBackend(args);
    const size = tf.util.sizeFromShape(x.shape);
    if (x.dtype !== 'float32' || size === 0) return original.kernelFunc(args);
    const out = backend.makeOutput([...x.shape], 'float32');
    blas.exp(heap(backend), offset(backend, x), offset(backend, out), size);
    return out;
  },
};
