/** One SGD update (torch.optim.SGD) into fresh outputs (`SGD_STEP_KERNEL`), one addon call; `buf` with momentum. */
import { SGD_STEP_KERNEL, type SgdStepAttrs, type SgdStepInputs, type SgdStepOutputs } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { checkSameFloat32 } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const sgdStepConfig: FusedKernelConfig = {
  kernelName: SGD_STEP_KERNEL,
  kernelFunc: ({ tf, blas }, args): SgdStepOutputs<tfc.TensorInfo> => {
    const { p, g, buf } = args.inputs as SgdStepInputs<tfc.TensorInfo>;
    const constants = args.attrs as SgdStepAttrs;
    const backend = wasmBackend(args);
    const momentum = constants.momentum > 0;
    tf.util.assert(
      momentum === (buf !== undefined),
      () => `${SGD_STEP_KERNEL}: pass \`buf\` exactly when momentum > 0`,
    );
    checkSameFloat32(tf, SGD_STEP_KERNEL, buf ? [p, g, buf] : [p, g]);
    const pOut = backend.makeOutput([...p.shape], 'float32');
    const bufOut = momentum ? backend.makeOutput([...p.shape], 'float32') : undefined;
    const n = tf.util.sizeFromShape(p.shape);
    if (n > 0) {
      const o = (t: tfc.TensorInfo | undefined) => (t ? offset(backend, t) : -1);
      blas.sgdStep(heap(backend), n, { p: o(p), g: o(g), buf: o(buf), pOut: o(pOut), bufOut: o(bufOut) }, constants);
    }
    return bufOut ? [pOut, bufOut] : [pOut];
  },
};
