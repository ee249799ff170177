/**
 * A projection with one LoRA branch (`LORA_LINEAR_KERNEL`, PEFT layout): h = x aᵀ, y = x Wᵀ + scaling·h bᵀ, three GEMMs
 * in one addon call where the op-by-op version runs some twenty kernels.
 *
 * Dimension letters: N rows, I in features, O out features, r LoRA rank.
 */
import { LORA_LINEAR_KERNEL } from '@meta-lora/artifacts';
import { fusedKernel } from './fused-kernel.ts';
import { loraDims } from './operand-checks.ts';

export const loraLinearConfig = fusedKernel(
  LORA_LINEAR_KERNEL,
  ({ tf, blas, backend, heap, offsets }, { x, weightT, a, b }, { scaling }) => {
    const dims = loraDims(tf, x, weightT, a, b, true);
    const y = backend.makeOutput([dims.n, dims.out], 'float32'); // [N, O]
    const h = backend.makeOutput([dims.n, dims.r], 'float32'); // [N, r]
    if (dims.n > 0) blas.loraLinear(heap(), dims, offsets({ x, weightT, a, b, y, h }), scaling);
    return [y, h];
  },
);
