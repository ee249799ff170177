/**
 * The supervised loss on target tokens only (labels -100 on prompt and padding, HF semantics) over a set of examples
 * of any size: examples are cut into chunks of `batchSize`, and chunk losses (each a mean over its targets) are
 * combined with weights `targets_c / targets_total`, so the result is the mean over all target tokens of the set —
 * the same number one big batch would give. Gradients are combined with the same weights.
 */
import {
  causalLmLoss,
  type IdExample,
  idExampleBatch,
  type LlamaModel,
  type LoraAdapter,
  tf,
  valueAndGradients,
} from '@meta-lora/lora-core';

/** Right padding never reaches a real token under causal attention and carries label -100, so any id works. */
const PAD_ID = 0;

export interface LossOptions {
  readonly maxSeqLen: number;
  readonly batchSize: number;
}

export interface TargetLoss {
  /** Mean cross-entropy per target token. */
  readonly loss: number;
  /** Target tokens the mean is over. */
  readonly targetTokens: number;
  /** Prompt + target tokens of the examples, after truncation. */
  readonly tokens: number;
}

function chunks(examples: readonly IdExample[], options: LossOptions) {
  const out = [];
  for (let i = 0; i < examples.length; i += options.batchSize) {
    out.push(
      idExampleBatch(examples.slice(i, i + options.batchSize), { maxSeqLen: options.maxSeqLen, padTokenId: PAD_ID }),
    );
  }
  return out;
}

/**
 * The target-token loss of `model` with `adapters` on `examples` (no gradients).
 *
 * @example
 * const { loss } = targetLoss(model, [shared], query, { maxSeqLen: 256, batchSize: 8 });
 */
export function targetLoss(
  model: LlamaModel,
  adapters: readonly LoraAdapter[],
  examples: readonly IdExample[],
  options: LossOptions,
): TargetLoss {
  const batches = chunks(examples, options);
  const total = batches.reduce((s, b) => s + b.targetTokens, 0);
  let loss = 0;
  for (const batch of batches) {
    const value = tf.tidy(() => causalLmLoss(model, batch, { adapters }).dataSync()[0] as number);
    loss += (value * batch.targetTokens) / total;
  }
  const tokens = batches.reduce((s, b) => s + b.promptTokens + b.targetTokens, 0);
  return { loss, targetTokens: total, tokens };
}

/**
 * The target-token loss and its gradients with respect to `adapter`'s variables (in `adapter.variables()` order); the
 * caller disposes the gradients. A non-finite loss is a NOT_FINITE error.
 *
 * @example
 * const { loss, grads } = targetLossAndGradients(model, adapted, query, { maxSeqLen: 256, batchSize: 8 });
 */
export function targetLossAndGradients(
  model: LlamaModel,
  adapter: LoraAdapter,
  examples: readonly IdExample[],
  options: LossOptions,
): TargetLoss & { readonly grads: tf.Tensor[] } {
  const batches = chunks(examples, options);
  const total = batches.reduce((s, b) => s + b.targetTokens, 0);
  const variables = adapter.variables();
  let loss = 0;
  let acc: tf.Tensor[] | null = null;
  try {
    for (const batch of batches) {
      const w = batch.targetTokens / total;
      const { loss: value, grads } = valueAndGradients(
        () => causalLmLoss(model, batch, { adapters: [adapter] }),
        variables,
      );
      loss += value * w;
      if (batches.length === 1) {
        acc = grads; // w is 1: the one chunk's gradients are the result
        continue;
      }
      const scaled = grads.map((g, i) => {
        const s = tf.tidy(() => (acc ? tf.add(acc[i] as tf.Tensor, tf.mul(g, w)) : tf.mul(g, w)));
        g.dispose();
        return s;
      });
      for (const a of acc ?? []) a.dispose();
      acc = scaled;
    }
  } catch (error) {
    for (const a of acc ?? []) a.dispose();
    throw error;
  }
  const tokens = batches.reduce((s, b) => s + b.promptTokens + b.targetTokens, 0);
  return { loss, targetTokens: total, tokens, grads: acc ?? [] };
}

/**
 * Prompt + target tokens of `examples` after truncation to `maxSeqLen` (data accounting; no model needed).
 *
 * @example
 * countTokens([{ prefixIds: [1], promptIds: [5, 6], targetIds: [7, 2] }], 256); // 5
 */
export function countTokens(examples: readonly IdExample[], maxSeqLen: number): number {
  const batch = idExampleBatch(examples, { maxSeqLen, padTokenId: PAD_ID });
  return batch.promptTokens + batch.targetTokens;
}
