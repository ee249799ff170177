/** `Cast` to the dtype it already has (TF.js's Multiply gradient casts every operand to float32) shares the data. */
import type * as tfc from '@tensorflow/tfjs-core';
import { identity } from './identity.ts';
import type { ReplacementKernelConfig } from './wasm-heap.ts';

export const castConfig: ReplacementKernelConfig = {
  kernelName: 'Cast',
  kernelFunc: (_ctx, args, original) => {
    const { x } = args.inputs as { x: tfc.TensorInfo };
    const { dtype } = args.attrs as { dtype: tfc.DataType };
    return x.dtype === dtype && dtype !== 'string' ? identity(args) : original.kernelFunc(args);
  },
};
