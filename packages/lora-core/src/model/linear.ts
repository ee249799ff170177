/**
 * A linear layer `y = x Wᵀ (+ b) + Σₐ sₐ · (x ⊙ mₐ) Aₐᵀ Bₐᵀ` — the frozen base projection plus any number of LoRA
 * branches (PEFT `lora.Linear.forward`), as one op with a hand-written gradient.
 *
 * Why a custom gradient: TF.js's registered matMul gradient uses the transpose flags, which fall off the fast path on
 * the wasm backend. Here every product is a plain matMul on explicitly transposed operands, and the frozen weight gets
 * no gradient at all (its `x ᵀ dy` product is skipped), so only LoRA factors cost backward work.
 *
 * Dimension letters: N rows (batch × time), I in features, O out features, r LoRA rank.
 */

import {
  LORA_LINEAR_GRAD_KERNEL,
  LORA_LINEAR_KERNEL,
  type LoraLinearAttrs,
  type LoraLinearGradInputs,
  type LoraLinearInputs,
} from '@meta-lora/artifacts';
import { hasKernels } from '../kernels/has-kernels.ts';
import { tf } from '../runtime/tf.ts';

/** One projection's weights. `weight` is HF's [O, I]; `weightT` caches its transpose [I, O] for the forward. */
export interface LinearWeights {
  /** Module path, e.g. `model.layers.0.self_attn.q_proj`. */
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: tf.Tensor2D; // [O, I]
  weightT: tf.Tensor2D; // [I, O]
  bias: tf.Tensor1D | null; // [O]
}

/** A LoRA branch on one projection: PEFT's `lora_A` [r, I], `lora_B` [O, r], scaling, optional dropout mask. */
export interface LoraBranch {
  readonly a: tf.Tensor2D; // [r, I]
  readonly b: tf.Tensor2D; // [O, r]
  readonly scaling: number;
  /** Inverted-dropout mask on the branch input ([N, I], values 0 or 1/(1-p)); absent when dropout is off. */
  readonly dropoutMask?: tf.Tensor2D;
}

/**
 * Applies the base projection and the LoRA branches. Gradients flow to `x` and to every branch's `a` and `b`; the base
 * weight and bias are constants.
 *
 * @example
 * const y = linear(x, layer.qProj, [{ a, b, scaling: 2 }]); // x [N, I] -> y [N, O]
 */
export function linear(x: tf.Tensor2D, base: LinearWeights, branches: readonly LoraBranch[] = []): tf.Tensor2D {
  if (branches.length === 0) {
    return baseLinear(x, base);
  }
  const only = branches[0] as LoraBranch;
  if (
    branches.length === 1 &&
    !only.dropoutMask &&
    !base.bias &&
    hasKernels(LORA_LINEAR_KERNEL, LORA_LINEAR_GRAD_KERNEL)
  ) {
    return fusedLoraLinear(x, base, only);
  }
  const op = tf.customGrad((...args: unknown[]) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xIn = inputs[0] as tf.Tensor2D; // [N, I]
    let y = tf.matMul(xIn, base.weightT); // [N, I] x [I, O] -> [N, O]
    if (base.bias) y = tf.add(y, base.bias);
    const hs: tf.Tensor2D[] = [];
    branches.forEach((branch, k) => {
      const a = inputs[1 + 2 * k] as tf.Tensor2D; // [r, I]
      const b = inputs[2 + 2 * k] as tf.Tensor2D; // [O, r]
      const xd = branch.dropoutMask ? tf.mul(xIn, branch.dropoutMask) : xIn; // [N, I]
      const h = tf.matMul(xd, tf.transpose(a)); // [N, I] x [I, r] -> [N, r]
      hs.push(h as tf.Tensor2D);
      // Scale the [N, r] factor rather than the [N, O] product: same value, O/r times fewer multiplies.
      y = tf.add(y, tf.matMul(tf.mul(h, branch.scaling), tf.transpose(b))); // [N, r] x [r, O] -> [N, O]
    });
    save([xIn, ...hs]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dy2 = dy as tf.Tensor2D; // [N, O]
        const xSaved = saved[0] as tf.Tensor2D;
        let dx = tf.matMul(dy2, base.weight) as tf.Tensor2D; // [N, O] x [O, I] -> [N, I]
        const grads: tf.Tensor[] = [];
        branches.forEach((branch, k) => {
          const a = inputs[1 + 2 * k] as tf.Tensor2D;
          const b = inputs[2 + 2 * k] as tf.Tensor2D;
          const h = saved[1 + k] as tf.Tensor2D; // [N, r]
          // dB = s·dyᵀh, computed as (s·hᵀ dy)ᵀ: two [r, ·] transposes instead of one of the whole [N, O] dy.
          const db = tf.transpose(tf.matMul(tf.transpose(tf.mul(h, branch.scaling)), dy2)); // [r, N] x [N, O] -> [O, r]
          const dh = tf.mul(tf.matMul(dy2, b), branch.scaling) as tf.Tensor2D; // [N, O] x [O, r] -> [N, r]
          const xd = branch.dropoutMask ? tf.mul(xSaved, branch.dropoutMask) : xSaved; // [N, I]
          const da = tf.matMul(tf.transpose(dh), xd); // [r, N] x [N, I] -> [r, I]
          let dxBranch = tf.matMul(dh, a) as tf.Tensor2D; // [N, r] x [r, I] -> [N, I]
          if (branch.dropoutMask) dxBranch = tf.mul(dxBranch, branch.dropoutMask);
          dx = tf.add(dx, dxBranch);
          grads.push(da, db);
        });
        return [dx, ...grads];
      },
    };
  });
  const args: tf.Tensor[] = [x];
  for (const branch of branches) args.push(branch.a, branch.b);
  return op(...args) as tf.Tensor2D;
}

/**
 * One LoRA branch without dropout or bias, where the backend has the fused kernels: the same products as `linear`'s
 * op-by-op path (y = x Wᵀ + s·(x Aᵀ) Bᵀ; dB = s·dyᵀh, dh = s·dy B, dA = dhᵀx, dx = dy W + dh A), each direction one
 * kernel call. The base product uses `weightT` as `baseLinear` does, so a branch with B = 0 changes no bit of the output.
 */
function fusedLoraLinear(x: tf.Tensor2D, base: LinearWeights, branch: LoraBranch): tf.Tensor2D {
  const attrs: LoraLinearAttrs = { scaling: branch.scaling };
  const op = tf.customGrad((...args: unknown[]) => {
    const [xIn, a, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs: LoraLinearInputs<tf.Tensor> = { x: xIn, weightT: base.weightT, a, b };
    const [y, h] = tf.engine().runKernel(LORA_LINEAR_KERNEL, inputs, attrs) as [tf.Tensor2D, tf.Tensor2D]; // [N, O], [N, r]
    // Variables outlive the backward pass, so only other factors (an adapter built inside the loss) need the engine's
    // saved copy; that copy is a kernel call and a tape entry each, twice per projection and step.
    const factorsLive = a instanceof tf.Variable && b instanceof tf.Variable;
    save(factorsLive ? [xIn, h] : [xIn, h, a, b]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, hs, as = a, bs = b] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D?, tf.Tensor2D?];
        const grads: LoraLinearGradInputs<tf.Tensor> = { dy, x: xs, h: hs, weight: base.weight, a: as, b: bs };
        return tf.engine().runKernel(LORA_LINEAR_GRAD_KERNEL, grads, attrs) as tf.Tensor[]; // dx [N, I], da [r, I], db [O, r]
      },
    };
  });
  return op(x, branch.a, branch.b) as tf.Tensor2D;
}

/** The base projection alone, with a plain-matmul gradient for `x` (and `weight`/`bias` when they are variables). */
function baseLinear(x: tf.Tensor2D, base: LinearWeights): tf.Tensor2D {
  const trainable = base.weight instanceof tf.Variable && base.weight.trainable;
  if (trainable) {
    // Full-weight training (pretraining): W is a variable; its gradient is dyᵀ x with explicit transposes.
    const op = tf.customGrad((...args: unknown[]) => {
      const [xIn, w] = args as [tf.Tensor2D, tf.Tensor2D];
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const y = tf.matMul(xIn, tf.transpose(w)); // [N, I] x [I, O] -> [N, O]
      save([xIn, w]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
          const dx = tf.matMul(dy as tf.Tensor2D, ws); // [N, O] x [O, I] -> [N, I]
          const dw = tf.matMul(tf.transpose(dy as tf.Tensor2D), xs); // [O, N] x [N, I] -> [O, I]
          return [dx, dw];
        },
      };
    });
    const y = op(x, base.weight) as tf.Tensor2D;
    return base.bias ? tf.add(y, base.bias) : y;
  }
  const op = tf.customGrad((...args: unknown[]) => {
    const xIn = args[0] as tf.Tensor2D;
    const y = tf.matMul(xIn, base.weightT); // [N, I] x [I, O] -> [N, O]
    return {
      value: base.bias ? tf.add(y, base.bias) : y,
      gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, base.weight), // [N, O] x [O, I] -> [N, I]
    };
  });
  return op(x) as tf.Tensor2D;
}
