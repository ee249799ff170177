/**
 * A projection with one LoRA branch (`LORA_LINEAR_KERNEL`, PEFT layout): h = x aᵀ, y = x Wᵀ + scaling·h bᵀ, three GEMMs
 * in one addon call where the op-by-op version runs some twenty kernels.
 *
 * Dimension letters: N rows, I in features, O out features, r LoRA rank.
 */
import {
  LORA_LINEAR_KERNEL,
  type LoraLinearAttrs,
  type LoraLinearInputs,
  type LoraLinearOutputs,
} from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import { loraDims } from './operand-checks.ts';
import { type FusedKernelConfig, heap, offset, wasmBackend } from './wasm-heap.ts';

export const loraLinearConfig: FusedKernelConfig = {
  kernelName: LORA_LINEAR_KERNEL,
  kernelFunc: ({ tf, blas }, args): LoraLinearOutputs<tfc.TensorInfo> => {
    const { x, weightT, a, b } = args.inputs as LoraLinearInputs<tfc.TensorInfo>;
    const { scaling } = args.attrs as LoraLinearAttrs;
    const backend = wasmBackend(args);
    const dims = loraDims(tf, x, weightT, a, b, true);
    const y = backend.makeOutput([dims.n, dims.out], 'float32'); // [N, O]
    const h = backend.makeOutput([dims.n, dims.r], 'float32'); // [N, r]
    if (dims.n > 0) {
      const o = (t: tfc.TensorInfo) => offset(backend, t);
      const at = { x: o(x), weightT: o(weightT), a: o(a), b: o(b), y: o(y), h: o(h) };
      blas.loraLinear(heap(backend), dims, at, scaling);
    }
    return [y, h];
  },
};
