/**
 * The gradient of the LoRA projection (`LORA_LINEAR_GRAD_KERNEL`) for upstream dy: with dh = s·dy b, dB = s·dyᵀh,
 * dA = dhᵀx, dx = dy W + dh a; five GEMMs in one addon call.
 *
 * Dimension letters: N rows, I in features, O out features, r LoRA rank.
 */
import {
  LORA_LINEAR_GRAD_KERNEL,
  type LoraLinearAttrs,
  type LoraLinearGradInputs,
  type LoraLinearGradOutputs,
} from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { loraDims, sameShape } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const loraLinearGradConfig: FusedKernelConfig = {
  kernelName: LORA_LINEAR_GRAD_KERNEL,
  kernelFunc: ({ tf, blas }, args): LoraLinearGradOutputs<tfc.TensorInfo> => {
    const { dy, x, h, weight, a, b } = args.inputs as LoraLinearGradInputs<tfc.TensorInfo>;
    const { scaling } = args.attrs as LoraLinearAttrs;
    const backend = wasmBackend(args);
    const dims = loraDims(tf, x, weight, a, b, false);
    tf.util.assert(
      dy.dtype === 'float32' &&
        h.dtype === 'float32' &&
        sameShape(dy.shape, [dims.n, dims.out]) &&
        sameShape(h.shape, [dims.n, dims.r]),
      () =>
        `${LORA_LINEAR_GRAD_KERNEL}: dy must be float32 [${dims.n}, ${dims.out}] and h float32 [${dims.n}, ${dims.r}], got ${dy.dtype}[${dy.shape}] and ${h.dtype}[${h.shape}]`,
    );
    const dx = backend.makeOutput([dims.n, dims.in], 'float32'); // [N, I]
    const da = backend.makeOutput([dims.r, dims.in], 'float32'); // [r, I]
    const db = backend.makeOutput([dims.out, dims.r], 'float32'); // [O, r]
    if (dims.n > 0) {
      const o = (t: tfc.TensorInfo) => offset(backend, t);
      const at = { dy: o(dy), x: o(x), h: o(h), weight: o(weight), a: o(a), b: o(b), dx: o(dx), da: o(da), db: o(db) };
      blas.loraLinearGrad(heap(backend), dims, at, scaling);
    } else {
      // No rows: the factors' gradients are zero (sgemm with k = 0 would leave them unwritten).
      const zero = (t: tfc.TensorInfo) =>
        new Float32Array(heap(backend), offset(backend, t) * 4, tf.util.sizeFromShape(t.shape)).fill(0);
      zero(da);
      zero(db);
    }
    return [dx, da, db];
  },
};
