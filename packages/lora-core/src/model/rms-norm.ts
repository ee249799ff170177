/**
 * RMSNorm over the last axis, HF `LlamaRMSNorm`: `y = x · r · w` with `r = 1/√(mean(x²) + eps)`, as one op with a
 * hand-written gradient for `x` (a frozen norm weight; a trainable one takes the autodiff path):
 *
 *   dx = r·w⊙dy − x · r³/D · Σ(dy⊙w⊙x)
 *
 * Where the backend has the fused kernels (`@meta-lora/native-blas` registers them on wasm) each direction is one pass
 * per row; elsewhere the same formulas run as TF.js ops, fewer than autodiff through mean/rsqrt/mul needs.
 *
 * Dimension letters: N rows, D width.
 */

import {
  RMS_NORM_GRAD_KERNEL,
  RMS_NORM_KERNEL,
  type RmsNormAttrs,
  type RmsNormGradInputs,
  type RmsNormInputs,
} from '@meta-lora/artifacts';
import { hasKernels } from '../kernels/has-kernels.ts';
import { tf } from '../runtime/tf.ts';

/** `r = 1/√(mean(x²) + eps)` of each row: [N, D] -> [N, 1]. */
function inverseRms(x: tf.Tensor2D, eps: number): tf.Tensor {
  return tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps));
}

/**
 * RMSNorm as plain TF.js ops, differentiated by autodiff: the final norm of `LlamaModel`, and `fusedRmsNorm`'s path
 * for a trainable weight.
 *
 * @example
 * const h = rmsNorm(x, model.norm, 1e-5); // [N, D] -> [N, D]
 */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.mul(x, inverseRms(x, eps)), weight) as tf.Tensor2D);
}

/**
 * RMSNorm of each row of `x` with weight `w`. Gradients flow to `x`, and to `w` when it is a trainable variable (then
 * through plain TF.js ops).
 *
 * @example
 * const n1 = fusedRmsNorm(x, layer.inputLayernorm, 1e-5); // [N, D] -> [N, D]
 */
export function fusedRmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  if (weight instanceof tf.Variable && weight.trainable) {
    // Full-weight training (pretraining) needs the weight's gradient too: plain ops, autodiff.
    return rmsNorm(x, weight, eps);
  }
  const fused = hasKernels(RMS_NORM_KERNEL, RMS_NORM_GRAD_KERNEL);
  const D = x.shape[1];
  const op = tf.customGrad((...args: unknown[]) => {
    const xIn = args[0] as tf.Tensor2D; // [N, D]
    const save = args[args.length - 1] as tf.GradSaveFunc;
    let y: tf.Tensor2D;
    let r: tf.Tensor; // [N] fused, [N, 1] composite
    if (fused) {
      const inputs: RmsNormInputs<tf.Tensor> = { x: xIn, weight };
      const attrs: RmsNormAttrs = { eps };
      [y, r] = tf.engine().runKernel(RMS_NORM_KERNEL, inputs, attrs) as [tf.Tensor2D, tf.Tensor1D];
    } else {
      r = inverseRms(xIn, eps); // [N, 1]
      y = tf.mul(tf.mul(xIn, r), weight) as tf.Tensor2D;
    }
    save([xIn, r, weight]); // the weight may die with the caller's scope before the backward
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, rs, w] = saved as [tf.Tensor2D, tf.Tensor, tf.Tensor1D];
        if (fused) {
          const inputs: RmsNormGradInputs<tf.Tensor> = { dy, x: xs, weight: w, r: rs };
          return tf.engine().runKernel(RMS_NORM_GRAD_KERNEL, inputs) as tf.Tensor;
        }
        const dyw = tf.mul(dy, w); // [N, D]
        const c = tf.div(tf.mul(tf.pow(rs, 3), tf.sum(tf.mul(dyw, xs), -1, true)), D); // [N, 1]
        return tf.sub(tf.mul(dyw, rs), tf.mul(xs, c)); // [N, D]
      },
    };
  });
  return op(x) as tf.Tensor2D;
}
