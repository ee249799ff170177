import { LORA_LINEAR_GRAD_KERNEL, LORA_LINEAR_KERNEL, Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { backendInfo, initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { type LinearWeights, type LoraBranch, linear } from './linear.ts';

await initBackend({ quiet: true });

const rng = Rng.fromSeed('linear');
const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
const [N, I, O, r] = [11, 24, 20, 4];
const weight = tf.tensor2d(values(O * I, 0.2), [O, I]);
const base: LinearWeights = {
  name: 'proj',
  inFeatures: I,
  outFeatures: O,
  weight,
  weightT: tf.transpose(weight),
  bias: null,
};
const x = tf.tensor2d(values(N * I, 1), [N, I]);
const a = tf.tensor2d(values(r * I, 0.3), [r, I]);
const b = tf.tensor2d(values(O * r, 0.3), [O, r]);
const upstream = tf.tensor2d(values(N * O, 1), [N, O]); // a non-uniform upstream gradient
const scaling = 2.5;

/** PEFT's `lora.Linear.forward` written as plain ops, differentiated by autodiff. */
const reference = (xs: tf.Tensor2D, as: tf.Tensor2D, bs: tf.Tensor2D) =>
  tf.add(
    tf.matMul(xs, weight, false, true),
    tf.mul(tf.matMul(tf.matMul(xs, as, false, true), bs, false, true), scaling),
  );
const branch = (as: tf.Tensor2D, bs: tf.Tensor2D): LoraBranch => ({ a: as, b: bs, scaling });
const weighted =
  (f: (xs: tf.Tensor2D, as: tf.Tensor2D, bs: tf.Tensor2D) => tf.Tensor) =>
  (xs: tf.Tensor, as: tf.Tensor, bs: tf.Tensor) =>
    tf.sum(tf.mul(f(xs as tf.Tensor2D, as as tf.Tensor2D, bs as tf.Tensor2D), upstream));

describe('linear with one LoRA branch', () => {
  it('equals x Wᵀ + s (x Aᵀ) Bᵀ', () => {
    expect(linear(x, base, [branch(a, b)])).toBeAllClose(reference(x, a, b), { atol: 1e-5, rtol: 1e-5 });
  });

  it('has the gradients autodiff gives the plain ops, for x, A and B', () => {
    const got = tf.grads(weighted((xs, as, bs) => linear(xs, base, [branch(as, bs)])))([x, a, b]);
    const want = tf.grads(weighted(reference))([x, a, b]);
    for (const [k, g] of got.entries()) expect(g).toBeAllClose(want[k] as tf.Tensor, { atol: 1e-4, rtol: 1e-5 });
  });

  it('gives the same gradients and leaks nothing when A and B are variables (held by reference, not saved)', () => {
    const [va, vb] = [tf.variable(a), tf.variable(b)];
    const loss = () => weighted((xs, as, bs) => linear(xs, base, [branch(as, bs)]))(x, va, vb) as tf.Scalar;
    const want = tf.grads(weighted(reference))([x, a, b]);
    const step = () => tf.variableGrads(loss, [va, vb]);
    const warm = step(); // warm-up: first-call caches
    tf.dispose([warm.value, ...Object.values(warm.grads)]);
    const before = tf.memory().numTensors;
    const { value, grads } = step();
    expect(grads[va.name]!).toBeAllClose(want[1]!, { atol: 1e-4, rtol: 1e-5 });
    expect(grads[vb.name]!).toBeAllClose(want[2]!, { atol: 1e-4, rtol: 1e-5 });
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([va, vb, ...want]);
  });

  it('leaks no tensors through a forward and backward pass', () => {
    const loss = weighted((xs, as, bs) => linear(xs, base, [branch(as, bs)]));
    const step = () => {
      tf.tidy(() => {
        tf.grads(loss)([x, a, b]);
      });
    };
    step(); // warm-up: first-call caches
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has the fused kernels on wasm exactly when the native path is on', () => {
    const native = backendInfo()?.nativeKernels ?? false;
    expect(
      [LORA_LINEAR_KERNEL, LORA_LINEAR_GRAD_KERNEL].map((k) => tf.getKernel(k, tf.getBackend()) !== undefined),
    ).toEqual([native, native]);
  });
});
