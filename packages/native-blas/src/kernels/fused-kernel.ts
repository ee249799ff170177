/**
 * Declares a fused kernel from its name and its body (`fusedKernel`): the body gets the inputs, attrs and outputs that
 * the contract in `@meta-lora/artifacts` gives that name, typed, and what it runs on, so a kernel file holds only its
 * checks and its addon call.
 */
import {
  ADAM_STEP_KERNEL,
  type AdamStepAttrs,
  type AdamStepInputs,
  type AdamStepOutputs,
  ATTENTION_GRAD_KERNEL,
  ATTENTION_KERNEL,
  type AttentionAttrs,
  type AttentionGradInputs,
  type AttentionGradOutputs,
  type AttentionInputs,
  type AttentionOutputs,
  LORA_LINEAR_GRAD_KERNEL,
  LORA_LINEAR_KERNEL,
  type LoraLinearAttrs,
  type LoraLinearGradInputs,
  type LoraLinearGradOutputs,
  type LoraLinearInputs,
  type LoraLinearOutputs,
  RMS_NORM_GRAD_KERNEL,
  RMS_NORM_KERNEL,
  type RmsNormAttrs,
  type RmsNormGradInputs,
  type RmsNormGradOutputs,
  type RmsNormInputs,
  type RmsNormOutputs,
  SGD_STEP_KERNEL,
  type SgdStepAttrs,
  type SgdStepInputs,
  type SgdStepOutputs,
  SUM_SQUARES_KERNEL,
  type SumSquaresInputs,
  type SumSquaresOutputs,
  SWIGLU_GRAD_KERNEL,
  SWIGLU_KERNEL,
  type SwiGluGradInputs,
  type SwiGluGradOutputs,
  type SwiGluInputs,
  type SwiGluOutputs,
} from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import {
  type FusedKernelConfig,
  heap,
  type NativeContext,
  offset,
  type WasmBackendLike,
  wasmBackend,
} from './wasm-heap.ts';

type Info = tfc.TensorInfo;
/** The attrs of a kernel that takes none. */
type NoAttrs = Record<string, never>;

/** Each fused kernel's inputs, attrs and outputs in the contract, by name, on TF.js's `TensorInfo`. */
interface Signatures {
  [RMS_NORM_KERNEL]: { inputs: RmsNormInputs<Info>; attrs: RmsNormAttrs; outputs: RmsNormOutputs<Info> };
  [RMS_NORM_GRAD_KERNEL]: { inputs: RmsNormGradInputs<Info>; attrs: NoAttrs; outputs: RmsNormGradOutputs<Info> };
  [SWIGLU_KERNEL]: { inputs: SwiGluInputs<Info>; attrs: NoAttrs; outputs: SwiGluOutputs<Info> };
  [SWIGLU_GRAD_KERNEL]: { inputs: SwiGluGradInputs<Info>; attrs: NoAttrs; outputs: SwiGluGradOutputs<Info> };
  [LORA_LINEAR_KERNEL]: { inputs: LoraLinearInputs<Info>; attrs: LoraLinearAttrs; outputs: LoraLinearOutputs<Info> };
  [LORA_LINEAR_GRAD_KERNEL]: {
    inputs: LoraLinearGradInputs<Info>;
    attrs: LoraLinearAttrs;
    outputs: LoraLinearGradOutputs<Info>;
  };
  [ATTENTION_KERNEL]: { inputs: AttentionInputs<Info>; attrs: AttentionAttrs; outputs: AttentionOutputs<Info> };
  [ATTENTION_GRAD_KERNEL]: {
    inputs: AttentionGradInputs<Info>;
    attrs: AttentionAttrs;
    outputs: AttentionGradOutputs<Info>;
  };
  [ADAM_STEP_KERNEL]: { inputs: AdamStepInputs<Info>; attrs: AdamStepAttrs; outputs: AdamStepOutputs<Info> };
  [SGD_STEP_KERNEL]: { inputs: SgdStepInputs<Info>; attrs: SgdStepAttrs; outputs: SgdStepOutputs<Info> };
  [SUM_SQUARES_KERNEL]: { inputs: SumSquaresInputs<Info>; attrs: NoAttrs; outputs: SumSquaresOutputs<Info> };
}

/** What a fused kernel's body runs on: tfjs-core, the addon, the wasm backend, and where its tensors lie in the heap. */
export interface FusedKernelContext extends NativeContext {
  readonly backend: WasmBackendLike;
  /** The heap, read at the call: allocating an output can grow wasm memory, which replaces the buffer. */
  heap(): ArrayBuffer;
  /** Element offset of a tensor in the heap. */
  offset(t: Info): number;
  /** Element offsets of named tensors, under the same names; an absent (optional) operand is -1. */
  offsets<T extends Record<string, Info | undefined>>(ts: T): { [K in keyof T]: number };
}

/**
 * The config of the fused kernel `kernelName`, which runs `body` on the kernel's inputs and attrs.
 *
 * @example
 * export const swigluConfig = fusedKernel(SWIGLU_KERNEL, ({ tf, blas, backend, heap, offset }, { gate, up }) => {
 *   const out = backend.makeOutput([...gate.shape], 'float32');
 *   blas.swiglu(heap(), offset(gate), offset(up), offset(out), tf.util.sizeFromShape(gate.shape));
 *   return out;
 * });
 */
export function fusedKernel<N extends keyof Signatures>(
  kernelName: N,
  body: (
    ctx: FusedKernelContext,
    inputs: Signatures[N]['inputs'],
    attrs: Signatures[N]['attrs'],
  ) => Signatures[N]['outputs'],
): FusedKernelConfig {
  return {
    kernelName,
    kernelFunc: ({ tf, blas }, args) => {
      const backend = wasmBackend(args);
      const at = (t: Info | undefined) => (t === undefined ? -1 : offset(backend, t));
      const ctx: FusedKernelContext = {
        tf,
        blas,
        backend,
        heap: () => heap(backend),
        offset: at,
        offsets: <T extends Record<string, Info | undefined>>(ts: T) =>
          Object.fromEntries(Object.entries(ts).map(([name, t]) => [name, at(t)])) as { [K in keyof T]: number },
      };
      return body(ctx, args.inputs as Signatures[N]['inputs'], args.attrs as Signatures[N]['attrs']);
    },
  };
}
