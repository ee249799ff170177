/**
 * `Identity` (what `customGrad` runs on every output) shares the input's data instead of copying it, as the cpu
 * backend does.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { type KernelArgs, type ReplacementKernelConfig, wasmBackend } from './wasm-heap.ts';

/** A new reference to `x`'s data. */
export function identity(args: KernelArgs): tfc.TensorInfo {
  const { x } = args.inputs as { x: tfc.TensorInfo };
  wasmBackend(args).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityConfig: ReplacementKernelConfig = {
  kernelName: 'Identity',
  kernelFunc: (_ctx, args) => identity(args),
};
