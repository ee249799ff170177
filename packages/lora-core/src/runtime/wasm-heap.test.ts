import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { tf } from './tf.ts';
import { wasmHeapBytes } from './wasm-heap.ts';

describe('wasmHeapBytes', () => {
  it('is the wasm heap in whole 64 KiB pages, and grows to hold a tensor larger than it', async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const before = wasmHeapBytes() as number;
    expect(before % 65_536).toBe(0);
    const big = tf.zeros([before / 4 + 1]); // one float more than the heap held
    try {
      expect(wasmHeapBytes()).toBeGreaterThan(before);
    } finally {
      big.dispose();
    }
  });

  it('is undefined on a backend other than wasm', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    expect(wasmHeapBytes()).toBeUndefined();
  });
});
