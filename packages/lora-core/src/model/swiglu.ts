/**
 * The SwiGLU activation of the Llama MLP, `silu(gate) ⊙ up` with `silu(g) = g·σ(g)` (HF `LlamaMLP`:
 * `act_fn(gate_proj(x)) * up_proj(x)`), as one op with a hand-written gradient:
 *
 *   d up = dy ⊙ silu(g),   d gate = dy ⊙ up ⊙ σ(g)·(1 + g·(1 − σ(g)))
 *
 * Where the backend has the fused kernels (`@meta-lora/native-blas` registers them on wasm) each direction is one pass
 * over memory; elsewhere the same formulas run as TF.js ops, still fewer than autodiff through `mul(mul(g, σ(g)), up)`.
 *
 * Dimension letters: N rows, F intermediate size.
 */

import { SWIGLU_GRAD_KERNEL, SWIGLU_KERNEL, type SwiGluGradInputs, type SwiGluInputs } from '@meta-lora/artifacts';
import { hasKernels } from '../kernels/has-kernels.ts';
import { tf } from '../runtime/tf.ts';

/**
 * `silu(gate) ⊙ up`, elementwise; `gate` and `up` have one shape.
 *
 * @example
 * const act = swiglu(gateProj, upProj); // [N, F], [N, F] -> [N, F]
 */
export function swiglu<T extends tf.Tensor>(gate: T, up: T): T {
  const fused = hasKernels(SWIGLU_KERNEL, SWIGLU_GRAD_KERNEL);
  const op = tf.customGrad((...args: unknown[]) => {
    const [g, u] = args as [tf.Tensor, tf.Tensor];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([g, u]);
    const inputs: SwiGluInputs<tf.Tensor> = { gate: g, up: u };
    const value = fused
      ? (tf.engine().runKernel(SWIGLU_KERNEL, inputs) as tf.Tensor) // [N, F]
      : tf.mul(tf.mul(g, tf.sigmoid(g)), u); // [N, F]
    return {
      value: value as T,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [gs, us] = saved as [tf.Tensor, tf.Tensor];
        if (fused) {
          const inputs: SwiGluGradInputs<tf.Tensor> = { dy, gate: gs, up: us };
          return tf.engine().runKernel(SWIGLU_GRAD_KERNEL, inputs) as tf.Tensor[];
        }
        const s = tf.sigmoid(gs); // [N, F]
        const silu = tf.mul(gs, s); // [N, F]
        const dGate = tf.mul(tf.mul(dy, us), tf.add(s, tf.mul(silu, tf.sub(1, s)))); // [N, F]
        return [dGate, tf.mul(dy, silu)];
      },
    };
  });
  return op(gate, up) as T;
}
