/**
 * What every kernel here shares: the parts of the wasm backend it touches, where a tensor lives in the wasm heap, and
 * the two shapes of kernel config the registration list takes (TF.js's `KernelConfig`, with the addon passed in).
 */
import type { FusedKernelName } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../native-blas-api.ts';

/** The parts of the wasm backend these kernels touch (BackendWasm in @tensorflow/tfjs-backend-wasm). */
export interface WasmBackendLike {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  readonly wasm: { readonly HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: tfc.DataType): tfc.TensorInfo;
  incRef(dataId: object): void;
}

/** TF.js's arguments to a kernel function: inputs, attrs, backend. */
export type KernelArgs = Parameters<tfc.KernelFunc>[0];
type KernelResult = tfc.TensorInfo | tfc.TensorInfo[];

/** What a kernel runs on besides its arguments: meta-lora's tfjs-core instance and the loaded addon. */
export interface NativeContext {
  readonly tf: typeof tfc;
  readonly blas: NativeBlas;
}

/** A fused kernel of the contract in `@meta-lora/artifacts`, with no TF.js counterpart. */
export interface FusedKernelConfig {
  readonly kernelName: FusedKernelName;
  readonly kernelFunc: (ctx: NativeContext, args: KernelArgs) => KernelResult;
}

/** A replacement for one of the wasm backend's own kernels; it hands every case it does not cover to `original`. */
export interface ReplacementKernelConfig {
  readonly kernelName: string;
  readonly kernelFunc: (ctx: NativeContext, args: KernelArgs, original: tfc.KernelConfig) => KernelResult;
}

/** The wasm backend a kernel runs on. */
export function wasmBackend(args: KernelArgs): WasmBackendLike {
  return args.backend as unknown as WasmBackendLike;
}

/** Element offset of a tensor in the heap (4-byte elements). */
export function offset(backend: WasmBackendLike, t: tfc.TensorInfo): number {
  return (backend.dataIdMap.get(t.dataId)?.memoryOffset as number) / 4;
}

/** The heap, read after every allocation: growing wasm memory replaces the buffer. */
export function heap(backend: WasmBackendLike): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}
