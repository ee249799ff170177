/**
 * Next-token cross-entropy with a loss mask, HF `ForCausalLMLoss` semantics: position t predicts `labels[t + 1]`,
 * labels equal to -100 (prompt tokens, padding) are ignored, and the loss is the mean over the remaining targets.
 *
 * Only the rows that have a target go through `lm_head`: on prompt-heavy batches that skips most of the V-wide work.
 * The cross-entropy has a hand-written gradient, `(softmax(z) − onehot(y)) / M`.
 *
 * Dimension letters: B batch, T time, D hidden, V vocab, M rows that carry a target.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import { gatherRows } from '../model/gather-rows.ts';
import type { ForwardOptions, LlamaModel } from '../model/llama-model.ts';
import { tf } from '../runtime/tf.ts';
import { lengthGroups, rowLengths } from './length-groups.ts';

/** The label value HF uses for "no loss here". */
export const IGNORE_INDEX = -100;

/** A right-padded batch of token sequences with their labels (same layout as `input_ids` / `labels` in HF). */
export interface TokenBatch {
  readonly batchSize: number;
  readonly seqLen: number;
  /** [B·T] token ids, row-major. */
  readonly inputIds: Int32Array;
  /** [B·T] labels: the token id where the loss counts, -100 where it does not. */
  readonly labels: Int32Array;
}

/** Row indices (into the flattened [B·T] positions) that predict a target, and those targets. */
export function lossTargets(batch: TokenBatch): { rows: Int32Array; targets: Int32Array } {
  const { batchSize: B, seqLen: T, labels } = batch;
  const rows: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t + 1 < T; t++) {
      const y = labels[b * T + t + 1] as number;
      if (y !== IGNORE_INDEX) {
        rows.push(b * T + t);
        targets.push(y);
      }
    }
  }
  return { rows: Int32Array.from(rows), targets: Int32Array.from(targets) };
}

/**
 * Mean cross-entropy of `logits` [M, V] against `targets` [M], with a fused gradient.
 *
 * @example
 * const loss = crossEntropy(logits, Int32Array.from([3, 1])); // scalar
 */
export function crossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Scalar {
  const [M, V] = logits.shape;
  const op = tf.customGrad((...args: unknown[]) => {
    const z = args[0] as tf.Tensor2D; // [M, V]
    const save = args[args.length - 1] as tf.GradSaveFunc;
    // int32 then cast: the wasm OneHot kernel writes integer bits into a float32 output.
    const onehot = tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), V), 'float32'); // [M, V]
    const logp = tf.logSoftmax(z); // [M, V]
    const value = tf.div(tf.neg(tf.sum(tf.mul(logp, onehot))), M) as tf.Scalar;
    save([logp, onehot]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [lp, oh] = saved as [tf.Tensor2D, tf.Tensor2D];
        return tf.mul(tf.sub(tf.exp(lp), oh), tf.div(dy, M)); // [M, V]
      },
    };
  });
  return op(logits) as tf.Scalar;
}

/**
 * Tokens of work one more forward and backward pass costs besides its rows (kernel launches, per-pass set-up), measured
 * on the 5 M-parameter default model (`tooling/bench/README.md`, "Length groups"). It decides how finely `causalLmLoss`
 * splits a batch.
 */
export const GROUP_OVERHEAD_TOKENS = 64;

/**
 * The causal-LM loss of `model` (with the adapters in `options`) on `batch`.
 *
 * Rows of very different lengths run in separate forward passes, each at its own width (`lengthGroups`), and their
 * target rows meet in one cross-entropy: the same mean over the same targets as one padded pass, without the padding's
 * compute. Float rounding can differ from the padded pass (reductions of another width); a batch of similar lengths is
 * one group and computes exactly what the padded pass did. With LoRA dropout masks (one row per padded position) or a
 * KV cache the batch runs as one pass.
 *
 * @example
 * const loss = causalLmLoss(model, batch, { adapters: [adapter] }); // scalar tensor
 */
export function causalLmLoss(model: LlamaModel, batch: TokenBatch, options: ForwardOptions = {}): tf.Scalar {
  const { rows, targets } = lossTargets(batch);
  if (rows.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', 'the batch has no target tokens: every label is -100', {
      field: 'labels',
      fix: 'make sure each example has a non-empty target after truncation (raise max sequence length or shorten prompts)',
    });
  }
  const { batchSize: B, seqLen: T } = batch;
  const whole = (options.dropoutMasks?.size ?? 0) > 0 || options.cache !== undefined;
  const lengths = rowLengths(batch.labels, B, T);
  const groups = whole ? [] : lengthGroups(lengths, GROUP_OVERHEAD_TOKENS);
  const onePass = whole || (groups.length === 1 && groups[0]?.length === B && Math.max(...lengths) === T);
  return tf.tidy(() => {
    if (onePass) {
      const ids = tf.tensor2d(batch.inputIds, [B, T], 'int32'); // [B, T]
      const hidden = model.hidden(ids, options); // [B·T, D]
      return crossEntropy(model.project(gatherRows(hidden, rows)), targets);
    }
    const picked: tf.Tensor2D[] = [];
    const groupTargets: number[] = [];
    for (const group of groups) {
      const sub = subBatch(batch, group, Math.max(...group.map((b) => lengths[b] as number)));
      const t = lossTargets(sub);
      const hidden = model.hidden(tf.tensor2d(sub.inputIds, [sub.batchSize, sub.seqLen], 'int32'), options); // [b·t, D]
      picked.push(gatherRows(hidden, t.rows)); // [m, D]
      groupTargets.push(...t.targets);
    }
    const all = picked.length === 1 ? (picked[0] as tf.Tensor2D) : tf.concat(picked, 0); // [M, D]
    return crossEntropy(model.project(all), Int32Array.from(groupTargets));
  });
}

/** Rows `rows` of `batch`, cut to `width` positions (everything past a row's last label is padding). */
function subBatch(batch: TokenBatch, rows: readonly number[], width: number): TokenBatch {
  const T = batch.seqLen;
  const inputIds = new Int32Array(rows.length * width);
  const labels = new Int32Array(rows.length * width);
  rows.forEach((b, j) => {
    inputIds.set(batch.inputIds.subarray(b * T, b * T + width), j * width);
    labels.set(batch.labels.subarray(b * T, b * T + width), j * width);
  });
  return { batchSize: rows.length, seqLen: width, inputIds, labels };
}
