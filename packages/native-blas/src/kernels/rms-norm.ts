/**
 * RMSNorm over the last axis (`RMS_NORM_KERNEL`): per row r = 1/√(mean(x²) + eps), y = x·r·w, in one addon call; `r`
 * is an output, kept for the gradient.
 *
 * Dimension letters: N rows, D width.
 */
import { RMS_NORM_KERNEL, type RmsNormAttrs, type RmsNormInputs, type RmsNormOutputs } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { checkNorm } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const rmsNormConfig: FusedKernelConfig = {
  kernelName: RMS_NORM_KERNEL,
  kernelFunc: ({ tf, blas }, args): RmsNormOutputs<tfc.TensorInfo> => {
    const { x, weight } = args.inputs as RmsNormInputs<tfc.TensorInfo>;
    const { eps } = args.attrs as RmsNormAttrs;
    const backend = wasmBackend(args);
    const d = x.shape[x.shape.length - 1] as number;
    checkNorm(tf, x, weight);
    const rows = tf.util.sizeFromShape(x.shape) / d;
    const y = backend.makeOutput([...x.shape], 'float32'); // [N, D]
    const r = backend.makeOutput(x.shape.slice(0, -1), 'float32'); // [N]
    if (rows > 0) {
      const o = (t: tfc.TensorInfo) => offset(backend, t);
      blas.rmsNorm(heap(backend), o(x), o(weight), o(y), o(r), rows, d, eps);
    }
    return [y, r];
  },
};
