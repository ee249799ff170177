/**
 * Training steps as functions over an explicit trainable set: `valueAndGradients` (the loss and its gradients, for
 * callers that aggregate them, such as the meta-update) and `trainStep` (one optimizer step on one batch).
 *
 * A non-finite loss or gradient is a NOT_FINITE error and leaves the variables untouched, so the caller can keep its
 * last good checkpoint.
 */
import { MetaLoraError, type Rng, SUM_SQUARES_KERNEL } from '@meta-lora/artifacts';
import { hasKernels } from '../kernels/has-kernels.ts';
import type { LoraAdapter } from '../lora/lora-adapter.ts';
import type { LlamaModel } from '../model/llama-model.ts';
import { tf } from '../runtime/tf.ts';
import { causalLmLoss, type TokenBatch } from './loss.ts';
import type { Optimizer } from './optimizer.ts';

export interface GradientsResult {
  readonly loss: number;
  /** One gradient per variable, in the order given; the caller disposes them. */
  readonly grads: tf.Tensor[];
}

/**
 * Evaluates `lossFn` and its gradients with respect to `variables` (and nothing else).
 *
 * @example
 * const { loss, grads } = valueAndGradients(() => causalLmLoss(model, batch, { adapters: [a] }), a.variables());
 */
export function valueAndGradients(lossFn: () => tf.Scalar, variables: readonly tf.Variable[]): GradientsResult {
  const { value, grads } = tf.variableGrads(lossFn, variables as tf.Variable[]);
  const loss = value.dataSync()[0] as number;
  value.dispose();
  const ordered = variables.map((v) => grads[v.name] as tf.Tensor);
  if (!Number.isFinite(loss)) {
    for (const g of ordered) g.dispose();
    throw new MetaLoraError('NOT_FINITE', `the loss is ${loss}`, {
      value: loss,
      fix: 'lower the learning rate, enable gradient clipping, or check the data for empty targets',
    });
  }
  return { loss, grads: ordered };
}

/** The global L2 norm of a list of gradients. */
export function globalNorm(grads: readonly tf.Tensor[]): number {
  return tf.tidy(() => {
    const sum = hasKernels(SUM_SQUARES_KERNEL)
      ? (tf.engine().runKernel(SUM_SQUARES_KERNEL, Object.fromEntries(grads.entries())) as tf.Scalar)
      : tf.addN(grads.map((g) => tf.sum(tf.square(g))));
    return Math.sqrt(sum.dataSync()[0] as number);
  });
}

/** Scales gradients in place (returns new tensors, disposing the old) so their global norm is at most `maxNorm`. */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  const norm = globalNorm(grads);
  if (!Number.isFinite(norm)) {
    for (const g of grads) g.dispose();
    throw new MetaLoraError('NOT_FINITE', `the gradient norm is ${norm}`, {
      value: norm,
      fix: 'lower the learning rate or enable gradient clipping',
    });
  }
  if (norm <= maxNorm) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const clipped = grads.map((g) => {
    const c = tf.mul(g, scale);
    g.dispose();
    return c;
  });
  return { grads: clipped, norm };
}

/** LoRA dropout masks for one step, keyed as `ForwardOptions.dropoutMasks` expects; empty when dropout is off. */
export function loraDropoutMasks(
  adapter: LoraAdapter,
  model: LlamaModel,
  rows: number,
  rng: Rng,
): Map<string, tf.Tensor2D> {
  const p = adapter.config.loraDropout;
  const masks = new Map<string, tf.Tensor2D>();
  if (p === 0) return masks;
  for (const f of adapter.factors.values()) {
    const inF = model.linearModules().get(f.module)!.inFeatures;
    const seed = rng.nextUint32();
    masks.set(
      `${adapter.name}/${f.module}`,
      tf.tidy(() =>
        tf.div(tf.cast(tf.greaterEqual(tf.randomUniform([rows, inF], 0, 1, 'float32', seed), p), 'float32'), 1 - p),
      ),
    );
  }
  return masks;
}

export interface TrainStepOptions {
  /** Clip the global gradient norm to this value (off when absent). */
  readonly clipGradNorm?: number;
  /** Learning-rate override for this step (schedules). */
  readonly lr?: number;
  /** Drives LoRA dropout masks; required when the adapter has loraDropout > 0. */
  readonly rng?: Rng;
  /** Other adapters that stay frozen but are active in the forward pass. */
  readonly frozenAdapters?: readonly LoraAdapter[];
}

export interface TrainStepResult {
  readonly loss: number;
  readonly gradNorm: number;
}

/**
 * One optimizer step of `adapter` on `batch`: forward, loss, backward, optional clipping, update. Base weights never
 * move: they are not variables.
 *
 * @example
 * const { loss } = trainStep(model, adapter, batch, new Optimizer({ lr: 1e-3 }));
 */
export function trainStep(
  model: LlamaModel,
  adapter: LoraAdapter,
  batch: TokenBatch,
  optimizer: Optimizer,
  options: TrainStepOptions = {},
): TrainStepResult {
  if (adapter.config.loraDropout > 0 && !options.rng) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `loraDropout is ${adapter.config.loraDropout} but no rng was given for the dropout masks`,
      {
        field: 'rng',
        fix: 'pass a seeded Rng in TrainStepOptions.rng',
      },
    );
  }
  const masks = options.rng ? loraDropoutMasks(adapter, model, batch.batchSize * batch.seqLen, options.rng) : new Map();
  const variables = adapter.variables();
  try {
    const adapters = [...(options.frozenAdapters ?? []), adapter];
    const result = valueAndGradients(() => causalLmLoss(model, batch, { adapters, dropoutMasks: masks }), variables);
    let grads = result.grads;
    let gradNorm: number;
    if (options.clipGradNorm !== undefined) {
      const clipped = clipByGlobalNorm(grads, options.clipGradNorm);
      grads = clipped.grads;
      gradNorm = clipped.norm;
    } else {
      gradNorm = globalNorm(grads);
      if (!Number.isFinite(gradNorm)) {
        for (const g of grads) g.dispose();
        throw new MetaLoraError('NOT_FINITE', `the gradient norm is ${gradNorm}`, {
          value: gradNorm,
          fix: 'lower the learning rate or set clipGradNorm',
        });
      }
    }
    optimizer.apply(variables, grads, options.lr);
    for (const g of grads) g.dispose();
    return { loss: result.loss, gradNorm };
  } finally {
    for (const m of masks.values()) m.dispose();
  }
}
