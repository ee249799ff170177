/**
 * Each native kernel against the wasm backend's own, on the cases the engine produces: matmuls plain, transposed,
 * batched and broadcast (as TF.js's matMul gradient makes them); the attention transposes; broadcasting elementwise
 * ops; row gathers.
 */
import '@tensorflow/tfjs-backend-wasm';
import {
  ATTENTION_KERNEL,
  FUSED_KERNEL_GRADIENTS,
  FUSED_KERNELS,
  LORA_LINEAR_GRAD_KERNEL,
  LORA_LINEAR_KERNEL,
  Rng,
} from '@meta-lora/artifacts';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { broadcastBlock } from './kernels/binary.ts';
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

describe('broadcastBlock', () => {
  it('finds the block a smaller operand spans, and refuses gaps', () => {
    expect([
      broadcastBlock([256], [1024, 256]),
      broadcastBlock([1024, 1], [1024, 256]),
      broadcastBlock([4, 5, 1], [3, 4, 5, 6]),
      broadcastBlock([], [7, 3]),
      broadcastBlock([4, 1, 6], [4, 5, 6]),
    ]).toEqual([{ nb: 256, inner: 1 }, { nb: 1024, inner: 256 }, { nb: 20, inner: 6 }, { nb: 1, inner: 1 }, null]);
  });
});

describe.skipIf(!native.available)('registerBlasKernels on wasm', () => {
  beforeAll(async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('implements every fused kernel of the contract, each forward with its gradient', () => {
    if (!native.available) return;
    const names = registerBlasKernels(tf, native.blas);
    expect(names.slice(0, FUSED_KERNELS.length)).toEqual([...FUSED_KERNELS]);
    for (const [forward, gradient] of Object.entries(FUSED_KERNEL_GRADIENTS)) {
      expect([forward, gradient].map((k) => tf.getKernel(k, 'wasm') !== undefined)).toEqual([true, true]);
    }
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
      if (native.available) expect(registerBlasKernels(tf, native.blas)).toContain('BatchMatMul');
      const got = tf.matMul(a, b, ta, tb);
      expect(got.shape).toEqual(want.shape);
      expect(got).toBeAllClose(want, { atol: 1e-5, rtol: 1e-5 });
      tf.dispose([a, b, want, got]);
    });
  }

  const ops: [string, (rng: Rng) => tf.Tensor[], (...t: tf.Tensor[]) => tf.Tensor][] = [
    ['2-D transpose', (r) => [random([37, 70], r)], (x) => tf.transpose(x)],
    ['5-D attention transpose', (r) => [random([2, 5, 2, 3, 4], r)], (x) => tf.transpose(x, [0, 2, 3, 1, 4])],
    ['batched last-two swap', (r) => [random([3, 33, 40], r)], (x) => tf.transpose(x, [0, 2, 1])],
    ['int32 transpose', () => [tf.reshape(tf.range(0, 24, 1, 'int32'), [2, 3, 4])], (x) => tf.transpose(x, [2, 0, 1])],
    ['exp', (r) => [random([17, 9], r)], (x) => tf.exp(x)],
    ['multiply by a row vector', (r) => [random([9, 16], r), random([16], r)], (a, b) => tf.mul(a, b)],
    ['multiply a vector by a matrix', (r) => [random([16], r), random([9, 16], r)], (a, b) => tf.mul(a, b)],
    ['add a scalar', (r) => [random([9, 16], r)], (a) => tf.add(a, 3)],
    ['subtract the same shape', (r) => [random([4, 8, 5], r), random([4, 8, 5], r)], (a, b) => tf.sub(a, b)],
    ['subtract from a broadcast operand', (r) => [random([5], r), random([4, 5], r)], (a, b) => tf.sub(a, b)],
    ['multiply by a column', (r) => [random([6, 5], r), random([6, 1], r)], (a, b) => tf.mul(a, b)],
    ['subtract a keepDims sum', (r) => [random([2, 3, 4, 5], r), random([2, 3, 4, 1], r)], (a, b) => tf.sub(a, b)],
    ['add a middle block', (r) => [random([3, 4, 5, 6], r), random([4, 5, 1], r)], (a, b) => tf.add(a, b)],
    ['add with a gap (original kernel)', (r) => [random([4, 5, 6], r), random([4, 1, 6], r)], (a, b) => tf.add(a, b)],
    ['add growing the shape (original kernel)', (r) => [random([5, 1], r), random([1, 6], r)], (a, b) => tf.add(a, b)],
    ['RoPE table over heads', (r) => [random([2, 3, 4, 8], r), random([4, 8], r)], (a, b) => tf.mul(a, b)],
    ['gather rows', (r) => [random([10, 6], r)], (x) => tf.gather(x, tf.tensor1d([3, 0, 3, 9], 'int32'))],
    ['gather columns (original kernel)', (r) => [random([4, 6], r)], (x) => tf.gather(x, [5, 1], 1)],
    ['identity', (r) => [random([3, 4], r)], (x) => tf.clone(x)],
    ['cast to the same dtype', (r) => [random([3, 4], r)], (x) => tf.cast(x, 'float32')],
    ['cast float32 to int32 (original kernel)', (r) => [random([3, 4], r)], (x) => tf.cast(x, 'int32')],
  ];

  for (const [name, inputs, fn] of ops) {
    it(`matches the wasm kernel: ${name}`, () => {
      const xs = inputs(Rng.fromSeed(name));
      unregisterBlasKernels(tf);
      const want = fn(...xs);
      if (native.available) registerBlasKernels(tf, native.blas);
      const got = fn(...xs);
      expect(got.shape).toEqual(want.shape);
      expect(got.dtype).toBe(want.dtype);
      expect(got).toBeAllClose(want, { atol: 1e-6, rtol: 1e-6 });
      tf.dispose([...xs, want, got]);
    });
  }

  it('shares data for identity, so disposing the clone keeps the source', () => {
    if (native.available) registerBlasKernels(tf, native.blas);
    const x = tf.tensor1d([1, 2, 3]);
    const before = (tf.memory() as { numDataBuffers: number }).numDataBuffers;
    const y = tf.clone(x);
    expect((tf.memory() as { numDataBuffers: number }).numDataBuffers).toBe(before);
    y.dispose();
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3]);
    x.dispose();
  });

  it('leaves an out-of-range gather index to the wasm kernel, which refuses it', () => {
    if (native.available) registerBlasKernels(tf, native.blas);
    const x = tf.ones([3, 2]);
    expect(() => tf.gather(x, tf.tensor1d([3], 'int32'))).toThrow(/not in \[0, 2\]/);
    x.dispose();
  });

  it('leaves non-float32 matmuls to the wasm kernel, which refuses them', () => {
    if (native.available) registerBlasKernels(tf, native.blas);
    const a = tf.ones([2, 2], 'int32');
    expect(() => tf.matMul(a, a)).toThrow(/float32/);
    a.dispose();
  });

  describe('the fused LoRA projection', () => {
    const [N, I, O, r, s] = [7, 12, 10, 3, 1.5];
    const operands = (n: number) => {
      const rng = Rng.fromSeed(`lora ${n}`);
      const [x, w, a, b, dy] = [
        random([n, I], rng),
        random([O, I], rng),
        random([r, I], rng),
        random([O, r], rng),
        random([n, O], rng),
      ];
      return { x, w, wT: tf.transpose(w), a, b, dy };
    };
    /** The kernels' outputs on `n` rows: y, dx, dA, dB, and the operands. */
    const run = (n: number) => {
      if (native.available) registerBlasKernels(tf, native.blas);
      const ops = operands(n);
      const { x, w, wT, a, b, dy } = ops;
      const [y, h] = tf.engine().runKernel(LORA_LINEAR_KERNEL, { x, weightT: wT, a, b }, { scaling: s }) as tf.Tensor[];
      const inputs = { dy, x, h: h as tf.Tensor, weight: w, a, b };
      const grads = tf.engine().runKernel(LORA_LINEAR_GRAD_KERNEL, inputs, { scaling: s }) as tf.Tensor[];
      return { outputs: [y as tf.Tensor, ...grads], ...ops };
    };

    it('gives y = x Wᵀ + s (x Aᵀ) Bᵀ and the gradients of x, A and B', () => {
      const { outputs, x, w, wT, a, b, dy } = run(N);
      const dh = tf.mul(tf.matMul(dy, b), s); // [N, r]
      const want = [
        tf.add(tf.matMul(x, wT), tf.mul(tf.matMul(tf.matMul(x, a, false, true), b, false, true), s)),
        tf.add(tf.matMul(dy, w), tf.matMul(dh, a)), // dx [N, I]
        tf.matMul(dh, x, true, false), // dA [r, I]
        tf.mul(tf.matMul(dy, tf.matMul(x, a, false, true), true, false), s), // dB [O, r]
      ];
      for (const [k, got] of outputs.entries())
        expect(got).toBeAllClose(want[k] as tf.Tensor, { atol: 1e-5, rtol: 1e-5 });
    });

    it('gives zero gradients for A and B on zero rows', () => {
      const [, , da, db] = run(0).outputs as tf.Tensor[];
      expect([Array.from((da as tf.Tensor).dataSync()), Array.from((db as tf.Tensor).dataSync())]).toEqual([
        Array(r * I).fill(0),
        Array(O * r).fill(0),
      ]);
    });

    it('names the kernel and the shapes when the operands disagree', () => {
      if (native.available) registerBlasKernels(tf, native.blas);
      const { x, wT, b } = operands(N);
      const wrongA = tf.ones([r, I + 1]);
      expect(() => tf.engine().runKernel(LORA_LINEAR_KERNEL, { x, weightT: wT, a: wrongA, b }, { scaling: s })).toThrow(
        /MetaLoraLinear: expected float32 x \[N, I\], weightT \[I, O\], a \[r, I\], b \[O, r\], got float32\[7,12\], float32\[12,10\], float32\[3,13\]/,
      );
    });
  });

  it('names the attention kernel, the expected and the received shapes when q does not fit the tables', () => {
    if (native.available) registerBlasKernels(tf, native.blas);
    const [q, k, v, cos, sin] = [tf.ones([6, 16]), tf.ones([6, 8]), tf.ones([6, 8]), tf.ones([2, 4]), tf.ones([2, 4])];
    const attrs = { batch: 2, heads: 4, kvHeads: 2, scale: 0.5 };
    expect(() => tf.engine().runKernel(ATTENTION_KERNEL, { q, k, v, cos, sin }, attrs)).toThrow(
      /MetaLoraAttention: expected float32 q \[B·T, H·d\], k \[B·T, KV·d\], cos and sin \[T, d\] \(d even\) with B = 2, H = 4, KV = 2; got float32\[6,16\], float32\[6,8\], float32\[2,4\], float32\[2,4\]/,
    );
    tf.dispose([q, k, v, cos, sin]);
  });
});
