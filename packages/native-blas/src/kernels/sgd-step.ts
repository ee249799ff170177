/** One SGD update (torch.optim.SGD) into fresh outputs (`SGD_STEP_KERNEL`), one addon call; `buf` with momentum. */
import { SGD_STEP_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { checkSameFloat32 } from './operand-checks.ts';

export const sgdStepConfig = fusedKernel(
  SGD_STEP_KERNEL,
  ({ tf, blas, backend, heap, offsets }, { p, g, buf }, constants) => {
    const momentum = constants.momentum > 0;
    tf.util.assert(
      momentum === (buf !== undefined),
      () => `${SGD_STEP_KERNEL}: pass \`buf\` exactly when momentum > 0`,
    );
    checkSameFloat32(tf, SGD_STEP_KERNEL, buf ? [p, g, buf] : [p, g]);
    const pOut = backend.makeOutput([...p.shape], 'float32');
    const bufOut = momentum ? backend.makeOutput([...p.shape], 'float32') : undefined;
    const n = tf.util.sizeFromShape(p.shape);
    if (n > 0) blas.sgdStep(heap(), n, offsets({ p, g, buf, pOut, bufOut }), constants);
    return bufOut ? [pOut, bufOut] : [pOut];
  },
);
