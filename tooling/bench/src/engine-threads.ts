/**
 * Setting the thread count meta-lora computes on, for one bench measurement. The wasm backend itself is
 * single-threaded in Node (backend.ts); with the native matmul path (@meta-lora/native-blas) the matmuls run on
 * OpenBLAS, whose thread count can be set, while the other kernels stay on one thread.
 */

import { backendInfo } from '@meta-lora/lora-core';
import { loadNativeBlas } from '@meta-lora/native-blas';

/**
 * Makes the engine compute on `threads` threads; returns null on success, else why it cannot.
 *
 * @example
 * setEngineThreads(2); // null with OpenBLAS matmuls; 'the wasm backend runs on 1 thread' without
 */
export function setEngineThreads(threads: number): string | null {
  const info = backendInfo();
  if (info === undefined) return 'no backend initialised';
  const native = loadNativeBlas();
  if (info.name === 'wasm' && info.matmul.startsWith('OpenBLAS') && native.available) {
    return native.blas.setThreads(threads) === threads ? null : `OpenBLAS would not run on ${threads} threads`;
  }
  if (info.threads === 0 || info.threads === threads) return null;
  if (info.nativeKernels) return `the native addon's built-in sgemm runs on 1 thread (${info.matmul})`;
  return `the ${info.name} backend runs on ${info.threads} thread${info.threads === 1 ? '' : 's'} and has no native matmul path (${info.matmul})`;
}
