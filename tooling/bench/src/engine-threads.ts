/**
 * Setting the thread count meta-lora computes on, for one bench measurement. The wasm backend is single-threaded in
 * Node (backend.ts), so only its own count can be measured.
 */
import { backendInfo } from '@meta-lora/lora-core';

/**
 * Makes the engine compute on `threads` threads; returns null on success, else why it cannot.
 *
 * @example
 * setEngineThreads(2); // 'the wasm backend runs on 1 thread'
 */
export function setEngineThreads(threads: number): string | null {
  const info = backendInfo();
  if (info === undefined) return 'no backend initialised';
  if (info.threads === 0 || info.threads === threads) return null;
  return `the ${info.name} backend runs on ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}
