/**
 * The size of the wasm backend's heap. A wasm32 heap holds at most 4 GiB and never shrinks: once it has grown, the
 * memory stays the process's, and long runs whose tensors change shape (generation over prompts of many lengths)
 * fragment it until an allocation fails inside a kernel. A worker thread watches it and retires itself in time
 * (`Served.retire` of @meta-lora/artifacts' worker pool).
 */
import { tf } from './tf.ts';

/** wasm32's limit on a heap: 4 GiB. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 1024 ** 3;

/**
 * Bytes of the wasm backend's heap (its linear memory, grown as far as it has grown), or undefined when the current
 * backend is not wasm.
 *
 * @example
 * wasmHeapBytes(); // 1_153_433_600 after a few evaluation cells; undefined on tfjs-node
 */
export function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as { readonly wasm?: { readonly HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength;
}
