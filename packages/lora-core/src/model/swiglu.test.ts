import { Rng, SWIGLU_KERNEL } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { backendInfo, initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { swiglu } from './swiglu.ts';

await initBackend({ quiet: true });

const rng = Rng.fromSeed('swiglu');
const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
const gate = tf.tensor2d(values(6 * 10, 4), [6, 10]);
const up = tf.tensor2d(values(6 * 10, 1), [6, 10]);
const weights = tf.tensor2d(values(6 * 10, 1), [6, 10]); // a non-uniform upstream gradient
const reference = (g: tf.Tensor, u: tf.Tensor) => tf.mul(tf.mul(g, tf.sigmoid(g)), u);

describe('swiglu', () => {
  it('equals silu(gate) * up', () => {
    expect(swiglu(gate, up)).toBeAllClose(reference(gate, up), { atol: 1e-6, rtol: 1e-5 });
  });

  it('has the gradients autodiff gives the unfused ops, for gate and for up', () => {
    const loss = (f: (g: tf.Tensor, u: tf.Tensor) => tf.Tensor) => (g: tf.Tensor, u: tf.Tensor) =>
      tf.sum(tf.mul(f(g, u), weights));
    const [dGate, dUp] = tf.grads(loss(swiglu))([gate, up]);
    const [wantGate, wantUp] = tf.grads(loss(reference))([gate, up]);
    expect(dGate).toBeAllClose(wantGate as tf.Tensor, { atol: 1e-6, rtol: 1e-5 });
    expect(dUp).toBeAllClose(wantUp as tf.Tensor, { atol: 1e-6, rtol: 1e-5 });
  });

  it('has the fused kernels on wasm exactly when the native path is on', () => {
    const native = backendInfo()?.nativeKernels ?? false;
    expect(tf.getKernel(SWIGLU_KERNEL, tf.getBackend()) !== undefined).toBe(native);
  });
});
