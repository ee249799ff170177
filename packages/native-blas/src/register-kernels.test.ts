/**
 * The OpenBLAS BatchMatMul against the wasm backend's own kernel, on every case the engine and TF.js's matMul gradient
 * produce: plain, transposed operands, equal batches, one operand broadcast over the batch, rank 3 against rank 2.
 */
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '@meta-lora/artifacts';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeBlas } from './native-blas.ts';
import { registerBlasKernels, unregisterBlasKernels } from './register-kernels.ts';

const native = loadNativeBlas();

function random(shape: number[], rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

describe.skipIf(!native.available)('registerBlasKernels on wasm', () => {
  beforeAll(async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
    await tf.ready();
  });

  const cases: [string, number[], number[], boolean, boolean][] = [
    ['plain', [33, 17], [17, 9], false, false],
    ['transposeA', [17, 33], [17, 9], true, false],
    ['transposeB', [33, 17], [9, 17], false, true],
    ['both transposed', [17, 33], [9, 17], true, true],
    ['equal batches', [2, 3, 5, 7], [2, 3, 7, 4], false, false],
    ['batched, transposeB', [2, 3, 5, 7], [2, 3, 4, 7], false, true],
    ['a broadcast over the batch', [5, 7], [6, 7, 4], false, false],
    ['rank 3 against rank 2', [6, 5, 7], [4, 7], false, true],
  ];

  for (const [name, aShape, bShape, ta, tb] of cases) {
    it(`matches the wasm kernel: ${name}`, () => {
      const rng = Rng.fromSeed(name);
      const a = random(aShape, rng);
      const b = random(bShape, rng);
      unregisterBlasKernels(tf);
      const want = tf.matMul(a, b, ta, tb);
      if (native.available) expect(registerBlasKernels(tf, native.blas)).toEqual(['BatchMatMul']);
      const got = tf.matMul(a, b, ta, tb);
      expect(got.shape).toEqual(want.shape);
      expect(got).toBeAllClose(want, { atol: 1e-5, rtol: 1e-5 });
      tf.dispose([a, b, want, got]);
    });
  }

  it('leaves non-float32 matmuls to the wasm kernel, which refuses them', () => {
    if (native.available) registerBlasKernels(tf, native.blas);
    const a = tf.ones([2, 2], 'int32');
    expect(() => tf.matMul(a, a)).toThrow(/float32/);
    a.dispose();
  });
});
