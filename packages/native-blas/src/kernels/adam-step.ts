/**
 * One AdamW update of a variable into fresh outputs (`ADAM_STEP_KERNEL`), one addon call where the op-by-op update runs
 * up to fourteen kernels; bit for bit the op-by-op order (native/adam-step.cc).
 */
import { ADAM_STEP_KERNEL, type AdamStepAttrs, type AdamStepInputs, type AdamStepOutputs } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { checkSameFloat32 } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const adamStepConfig: FusedKernelConfig = {
  kernelName: ADAM_STEP_KERNEL,
  kernelFunc: ({ tf, blas }, args): AdamStepOutputs<tfc.TensorInfo> => {
    const { p, g, m, v } = args.inputs as AdamStepInputs<tfc.TensorInfo>;
    const constants = args.attrs as AdamStepAttrs;
    const backend = wasmBackend(args);
    checkSameFloat32(tf, ADAM_STEP_KERNEL, [p, g, m, v]);
    const [pOut, mOut, vOut] = [p, m, v].map((t) => backend.makeOutput([...t.shape], 'float32')) as [
      tfc.TensorInfo,
      tfc.TensorInfo,
      tfc.TensorInfo,
    ];
    const n = tf.util.sizeFromShape(p.shape);
    if (n > 0) {
      const o = (t: tfc.TensorInfo) => offset(backend, t);
      const at = { p: o(p), g: o(g), m: o(m), v: o(v), pOut: o(pOut), mOut: o(mOut), vOut: o(vOut) };
      blas.adamStep(heap(backend), n, at, constants);
    }
    return [pOut, mOut, vOut];
  },
};
