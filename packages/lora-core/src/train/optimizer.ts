/**
 * Optimizers over an explicit list of variables, with state that serialises to plain arrays (for checkpoints that
 * resume bit-exactly). Semantics are PyTorch's:
 *
 * - `adamw` (`torch.optim.AdamW`): `p ← p − lr·wd·p`, then `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
 *   `p ← p − lr · m̂ / (√v̂ + ε)` with bias-corrected `m̂, v̂`. `weightDecay: 0` gives plain Adam.
 * - `sgd` (`torch.optim.SGD`): `b ← μb + g` (when momentum > 0), `p ← p − lr · b`.
 *
 * Where the backend has the fused kernels (`@meta-lora/native-blas` registers them on wasm) each variable's update is
 * one kernel, in the same float32 operations and order as the op-by-op update, so the two give the same bits.
 */
import {
  ADAM_STEP_KERNEL,
  type AdamStepAttrs,
  type AdamStepInputs,
  MetaLoraError,
  SGD_STEP_KERNEL,
  type SgdStepAttrs,
  type SgdStepInputs,
} from '@meta-lora/artifacts';
import * as z from 'zod';
import { hasKernels } from '../kernels/has-kernels.ts';
import { tf } from '../runtime/tf.ts';

export const OptimizerConfigSchema = z.strictObject({
  type: z.enum(['adamw', 'adam', 'sgd']).default('adamw').describe('adamw, adam (AdamW with weightDecay 0) or sgd'),
  lr: z.number().positive().default(1e-3).describe('Learning rate'),
  beta1: z.number().min(0).lt(1).default(0.9).describe('Adam β₁'),
  beta2: z.number().min(0).lt(1).default(0.999).describe('Adam β₂'),
  eps: z.number().positive().default(1e-8).describe('Adam ε'),
  weightDecay: z.number().min(0).default(0).describe('Decoupled weight decay (AdamW) or L2 (SGD)'),
  momentum: z.number().min(0).lt(1).default(0).describe('SGD momentum'),
});
export type OptimizerConfig = z.output<typeof OptimizerConfigSchema>;
export type OptimizerConfigInput = z.input<typeof OptimizerConfigSchema>;

/** Plain-data optimizer state: the step count and one list of slot arrays per variable. */
export interface OptimizerState {
  readonly type: OptimizerConfig['type'];
  readonly step: number;
  /** For each variable, in order: adam → [m, v]; sgd with momentum → [buf]; sgd → []. */
  readonly slots: readonly (readonly Float32Array[])[];
}

export class Optimizer {
  readonly config: OptimizerConfig;
  private stepCount = 0;
  private slots: tf.Variable[][] | null = null;

  constructor(config: OptimizerConfigInput = {}) {
    const parsed = OptimizerConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      throw new MetaLoraError('CONFIG_INVALID', `optimizer \`${field}\`: ${issue.message}`, {
        field,
        value: (config as Record<string, unknown>)[field],
        fix: 'see OptimizerConfigSchema for accepted values',
      });
    }
    this.config = parsed.data;
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.stepCount;
  }

  /**
   * Applies one update. `grads[i]` is the gradient of `variables[i]`; `lr` overrides the configured rate (schedules).
   *
   * @example
   * const { grads } = valueAndGradients(() => loss(), vars); opt.apply(vars, grads); disposeAll(grads);
   */
  apply(variables: readonly tf.Variable[], grads: readonly tf.Tensor[], lr = this.config.lr): void {
    if (variables.length !== grads.length) {
      throw new MetaLoraError(
        'SHAPE_MISMATCH',
        `optimizer got ${grads.length} gradients for ${variables.length} variables`,
        {
          fix: 'pass one gradient per variable, in the same order',
        },
      );
    }
    this.ensureSlots(variables);
    this.stepCount++;
    const { type, beta1, beta2, eps, weightDecay, momentum } = this.config;
    const slots = this.slots!;
    const bc1 = 1 - beta1 ** this.stepCount;
    const bc2 = 1 - beta2 ** this.stepCount;
    const fused = hasKernels(type === 'sgd' ? SGD_STEP_KERNEL : ADAM_STEP_KERNEL);
    const decay = type === 'adamw' && weightDecay > 0 ? 1 - lr * weightDecay : 1;
    variables.forEach((p, i) => {
      const g = grads[i] as tf.Tensor;
      const s = slots[i] as tf.Variable[];
      tf.tidy(() => {
        if (fused && type === 'sgd') {
          const inputs: SgdStepInputs<tf.Tensor> = momentum > 0 ? { p, g, buf: s[0] as tf.Variable } : { p, g };
          const attrs: SgdStepAttrs = { lr, weightDecay, momentum, first: this.stepCount === 1 };
          const [next, buf] = tf.engine().runKernel(SGD_STEP_KERNEL, inputs, attrs) as tf.Tensor[];
          p.assign(next as tf.Tensor);
          if (buf) (s[0] as tf.Variable).assign(buf);
          return;
        }
        if (fused) {
          const [m, v] = s as [tf.Variable, tf.Variable];
          const attrs: AdamStepAttrs = { beta1, beta2, eps, decay, sqrtBc2: Math.sqrt(bc2), stepSize: lr / bc1 };
          const inputs: AdamStepInputs<tf.Tensor> = { p, g, m, v };
          const [next, mNext, vNext] = tf.engine().runKernel(ADAM_STEP_KERNEL, inputs, attrs) as tf.Tensor[];
          m.assign(mNext as tf.Tensor);
          v.assign(vNext as tf.Tensor);
          p.assign(next as tf.Tensor);
          return;
        }
        if (type === 'sgd') {
          let d = weightDecay > 0 ? tf.add(g, tf.mul(p, weightDecay)) : g;
          if (momentum > 0) {
            const buf = s[0] as tf.Variable;
            buf.assign(this.stepCount === 1 ? d : tf.add(tf.mul(buf, momentum), d));
            d = buf;
          }
          p.assign(tf.sub(p, tf.mul(d, lr)));
          return;
        }
        const [m, v] = s as [tf.Variable, tf.Variable];
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const decayed = decay !== 1 ? tf.mul(p, decay) : p;
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
      });
    });
  }

  /** A plain-data copy of the state. */
  state(): OptimizerState {
    return {
      type: this.config.type,
      step: this.stepCount,
      slots: (this.slots ?? []).map((s) => s.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a))),
    };
  }

  /** Restores a state taken with `state()` for the same variables (same order and shapes). */
  loadState(state: OptimizerState, variables: readonly tf.Variable[]): void {
    if (state.type !== this.config.type || (state.slots.length > 0 && state.slots.length !== variables.length)) {
      throw new MetaLoraError(
        'CHECKPOINT_INVALID',
        `optimizer state (${state.type}, ${state.slots.length} variables) does not fit this optimizer (${this.config.type}, ${variables.length} variables)`,
        {
          fix: 'resume with the same optimizer and adapter config the checkpoint was written with',
        },
      );
    }
    this.disposeSlots();
    this.stepCount = state.step;
    if (state.slots.length === 0) return;
    this.slots = variables.map((p, i) =>
      (state.slots[i] as readonly Float32Array[]).map((arr) => {
        if (arr.length !== p.size) {
          throw new MetaLoraError(
            'CHECKPOINT_INVALID',
            `optimizer slot for variable ${i} has ${arr.length} values, expected ${p.size}`,
            {
              fix: 'resume with the same adapter config the checkpoint was written with',
            },
          );
        }
        return ownedVariable(tf.tensor(arr, p.shape));
      }),
    );
  }

  dispose(): void {
    this.disposeSlots();
  }

  private ensureSlots(variables: readonly tf.Variable[]): void {
    if (this.slots) return;
    const n = this.config.type === 'sgd' ? (this.config.momentum > 0 ? 1 : 0) : 2;
    this.slots = variables.map((p) => Array.from({ length: n }, () => ownedVariable(tf.zerosLike(p))));
  }

  private disposeSlots(): void {
    for (const s of this.slots ?? []) for (const v of s) v.dispose();
    this.slots = null;
  }
}

/** A non-trainable variable initialised from `t`, which is disposed (tf.variable copies its initial value). */
function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}
