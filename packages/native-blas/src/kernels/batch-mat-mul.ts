/**
 * `BatchMatMul` through the addon's sgemm (OpenBLAS `cblas_sgemm`, or the built-in one): the wasm kernel's transposed
 * and batched cases fall off XNNPACK's fast path; sgemm takes `transposeA`/`transposeB` and each batch at full speed.
 * Other dtypes, empty products and odd broadcasts go to the original kernel.
 *
 * Dimension letters: m rows of op(A), k inner, n columns of op(B).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { heap, offset, type ReplacementKernelConfig, wasmBackend } from './wasm-heap.ts';

export const batchMatMulConfig: ReplacementKernelConfig = {
  kernelName: 'BatchMatMul',
  kernelFunc: ({ tf, blas }, args, original) => {
    const { a, b } = args.inputs as { a: tfc.TensorInfo; b: tfc.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const backend = wasmBackend(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return original.kernelFunc(args);
    const m = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
    const k = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
    const kb = (transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) as number;
    const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    if (k !== kb || m * n * k === 0 || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
      return original.kernelFunc(args); // its error message for a shape mismatch; empty or odd broadcasts
    }
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const out = backend.makeOutput([...outBatch, m, n], 'float32'); // [..., m, n]
    blas.sgemm(
      heap(backend),
      Math.max(batchA, batchB),
      m,
      n,
      k,
      transposeA,
      transposeB,
      offset(backend, a),
      offset(backend, b),
      offset(backend, out),
      batchA === 1 ? 0 : m * k,
      batchB === 1 ? 0 : k * n,
    );
    return out;
  },
};
