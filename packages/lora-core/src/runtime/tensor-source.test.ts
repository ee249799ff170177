import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { tensorFromSource } from './tensor-source.ts';
import { tf } from './tf.ts';

describe.each(['wasm', 'cpu'] as const)('tensorFromSource on %s', (backend) => {
  const values = [0.1, -2.5, 3e-40, Number.POSITIVE_INFINITY, -0, 7];

  it('holds the values read, bit for bit, as tf.tensor does', async () => {
    await initBackend({ backend, quiet: true });
    const t = tensorFromSource({ shape: [2, 3], read: (out) => out.set(values) }, [2, 3]);
    const expected = tf.tensor(values, [2, 3], 'float32');
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    const bytes = (x: tf.Tensor) => {
      const data = x.dataSync();
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    };
    expect(bytes(t)).toEqual(bytes(expected));
    tf.dispose([t, expected]);
  });

  it('leaves no tensor behind when the read fails', async () => {
    await initBackend({ backend, quiet: true });
    const before = tf.memory().numTensors;
    const failing = () => {
      throw new Error('disk gone');
    };
    expect(() => tensorFromSource({ shape: [4], read: failing }, [4])).toThrow('disk gone');
    expect(tf.memory().numTensors).toBe(before);
  });
});
