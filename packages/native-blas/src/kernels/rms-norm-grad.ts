/**
 * The gradient of RMSNorm for `x` (`RMS_NORM_GRAD_KERNEL`): per row dx = r·w·dy − x·r³/D·Σ(dy·w·x), in one addon call.
 *
 * Dimension letters: N rows, D width.
 */
import { RMS_NORM_GRAD_KERNEL, type RmsNormGradInputs, type RmsNormGradOutputs } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { checkNorm, checkSameFloat32 } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const rmsNormGradConfig: FusedKernelConfig = {
  kernelName: RMS_NORM_GRAD_KERNEL,
  kernelFunc: ({ tf, blas }, args): RmsNormGradOutputs<tfc.TensorInfo> => {
    const { dy, x, weight, r } = args.inputs as RmsNormGradInputs<tfc.TensorInfo>;
    const backend = wasmBackend(args);
    const d = x.shape[x.shape.length - 1] as number;
    checkNorm(tf, x, weight);
    checkSameFloat32(tf, RMS_NORM_GRAD_KERNEL, [dy, x]);
    const rows = tf.util.sizeFromShape(x.shape) / d;
    const dx = backend.makeOutput([...x.shape], 'float32'); // [N, D]
    if (rows > 0) {
      const o = (t: tfc.TensorInfo) => offset(backend, t);
      blas.rmsNormGrad(heap(backend), o(dy), o(x), o(weight), o(r), o(dx), rows, d);
    }
    return dx;
  },
};
