/** `GatherV2` on axis 0 with int32 indices: whole-row copies inside the heap. Other gathers go to the original kernel. */
import type * as tfc from '@tensorflow/tfjs-core';
import { heap, offset, type ReplacementKernelConfig, wasmBackend } from './wasm-heap.ts';

export const gatherV2Config: ReplacementKernelConfig = {
  kernelName: 'GatherV2',
  kernelFunc: ({ tf }, args, original) => {
    const { x, indices } = args.inputs as { x: tfc.TensorInfo; indices: tfc.TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    const backend = wasmBackend(args);
    const parsedAxis = axis < 0 ? axis + x.shape.length : axis;
    const rows = x.shape[0] ?? 0;
    const count = tf.util.sizeFromShape(indices.shape);
    if (
      parsedAxis !== 0 ||
      batchDims !== 0 ||
      (x.dtype !== 'float32' && x.dtype !== 'int32') ||
      indices.dtype !== 'int32' ||
      rows === 0 ||
      count === 0
    ) {
      return original.kernelFunc(args);
    }
    const width = tf.util.sizeFromShape(x.shape.slice(1));
    const idx = new Int32Array(heap(backend), offset(backend, indices) * 4, count).slice();
    for (const i of idx) {
      if (i < 0 || i >= rows) return original.kernelFunc(args); // its out-of-range error
    }
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const words = new Uint32Array(heap(backend));
    const src = offset(backend, x);
    const dst = offset(backend, out);
    for (let m = 0; m < count; m++) {
      const from = src + (idx[m] as number) * width;
      words.copyWithin(dst + m * width, from, from + width);
    }
    return out;
  },
};
