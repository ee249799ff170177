/** SwiGLU, `silu(gate) ⊙ up`, in one addon call (`SWIGLU_KERNEL` of the contract in `@meta-lora/artifacts`). */
import { SWIGLU_KERNEL, type SwiGluInputs, type SwiGluOutputs } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { checkSameFloat32 } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const swigluConfig: FusedKernelConfig = {
  kernelName: SWIGLU_KERNEL,
  kernelFunc: ({ tf, blas }, args): SwiGluOutputs<tfc.TensorInfo> => {
    const { gate, up } = args.inputs as SwiGluInputs<tfc.TensorInfo>;
    const backend = wasmBackend(args);
    checkSameFloat32(tf, SWIGLU_KERNEL, [gate, up]);
    const out = backend.makeOutput([...gate.shape], 'float32');
    const n = tf.util.sizeFromShape(gate.shape);
    if (n > 0) blas.swiglu(heap(backend), offset(backend, gate), offset(backend, up), offset(backend, out), n);
    return out;
  },
};
