/**
 * `Transpose` of 4-byte elements (float32, int32) up to rank 8 as a plain C++ loop, several times faster than the wasm
 * kernel on the attention transposes. Other dtypes and empty tensors go to the original kernel.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { heap, offset, type ReplacementKernelConfig, wasmBackend } from './wasm-heap.ts';

export const transposeConfig: ReplacementKernelConfig = {
  kernelName: 'Transpose',
  kernelFunc: ({ tf, blas }, args, original) => {
    const { x } = args.inputs as { x: tfc.TensorInfo };
    const { perm } = args.attrs as { perm: number[] };
    const backend = wasmBackend(args);
    const size = tf.util.sizeFromShape(x.shape);
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || size === 0 || x.shape.length > 8) {
      return original.kernelFunc(args);
    }
    const out = backend.makeOutput(
      perm.map((p) => x.shape[p] as number),
      x.dtype,
    );
    blas.transpose(heap(backend), offset(backend, x), offset(backend, out), [...x.shape], [...perm]);
    return out;
  },
};
