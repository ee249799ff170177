/**
 * The gradient of SwiGLU for upstream `dy` (`SWIGLU_GRAD_KERNEL`): with s = sigmoid(gate), dUp = dy·gate·s and
 * dGate = dy·up·s·(1 + gate·(1 − s)), in one addon call.
 */
import { SWIGLU_GRAD_KERNEL, type SwiGluGradInputs, type SwiGluGradOutputs } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { checkSameFloat32 } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const swigluGradConfig: FusedKernelConfig = {
  kernelName: SWIGLU_GRAD_KERNEL,
  kernelFunc: ({ tf, blas }, args): SwiGluGradOutputs<tfc.TensorInfo> => {
    const { dy, gate, up } = args.inputs as SwiGluGradInputs<tfc.TensorInfo>;
    const backend = wasmBackend(args);
    checkSameFloat32(tf, SWIGLU_GRAD_KERNEL, [dy, gate, up]);
    const dGate = backend.makeOutput([...gate.shape], 'float32');
    const dUp = backend.makeOutput([...gate.shape], 'float32');
    const n = tf.util.sizeFromShape(gate.shape);
    if (n > 0) {
      const o = (t: tfc.TensorInfo) => offset(backend, t);
      blas.swigluGrad(heap(backend), o(dy), o(gate), o(up), o(dGate), o(dUp), n);
    }
    return [dGate, dUp];
  },
};
