import { RMS_NORM_KERNEL, Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { backendInfo, initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { fusedRmsNorm, rmsNorm } from './rms-norm.ts';

await initBackend({ quiet: true });

const rng = Rng.fromSeed('rms-norm');
const values = (n: number, scale: number, mean = 0) =>
  Float32Array.from({ length: n }, () => mean + rng.normal() * scale);
const x = tf.tensor2d(values(5 * 12, 3), [5, 12]);
const weight = tf.tensor1d(values(12, 0.2, 1));
const upstream = tf.tensor2d(values(5 * 12, 1), [5, 12]);

describe('fusedRmsNorm', () => {
  it('equals the unfused rmsNorm', () => {
    expect(fusedRmsNorm(x, weight, 1e-5)).toBeAllClose(rmsNorm(x, weight, 1e-5), { atol: 1e-6, rtol: 1e-5 });
  });

  it('has the gradient autodiff gives the unfused rmsNorm', () => {
    const loss = (f: typeof rmsNorm) => (t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor2D, weight, 1e-5), upstream));
    expect(tf.grad(loss(fusedRmsNorm))(x)).toBeAllClose(tf.grad(loss(rmsNorm))(x), { atol: 1e-6, rtol: 1e-4 });
  });

  it('gives a trainable weight its gradient', () => {
    const w = tf.variable(weight.clone());
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(fusedRmsNorm(x, w, 1e-5), upstream)) as tf.Scalar, [w]);
    const want = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(rmsNorm(x, v as tf.Tensor1D, 1e-5), upstream)))(w);
    expect(grads[w.name]).toBeAllClose(want, { atol: 1e-5, rtol: 1e-4 });
    w.dispose();
  });

  it('has the fused kernels on wasm exactly when the native path is on', () => {
    const native = backendInfo()?.nativeKernels ?? false;
    expect(tf.getKernel(RMS_NORM_KERNEL, tf.getBackend()) !== undefined).toBe(native);
  });
});
