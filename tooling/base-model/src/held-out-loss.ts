/**
 * The held-out loss: the mean next-token cross-entropy over the fixed evaluation windows of the held-out stream
 * (`evalWindowStarts`). Pretraining logs it periodically; the model card reports it for the exported weights; the
 * `eval` command recomputes it from any model directory.
 */
import { causalLmLoss, type LlamaModel, tf } from '@meta-lora/lora-core';
import { evalWindowStarts, windowBatch } from './windows.ts';

export interface HeldOutLossOptions {
  /** Predicted tokens per window. */
  readonly seqLen: number;
  /** Number of windows. */
  readonly windows: number;
  /** Windows per forward pass (memory only; the result does not depend on it beyond float rounding). */
  readonly batchSize: number;
}

/**
 * @example
 * const { loss, tokens } = heldOutLoss(model, streams.heldOut, { seqLen: 128, windows: 64, batchSize: 8 });
 */
export function heldOutLoss(
  model: LlamaModel,
  stream: Uint16Array,
  options: HeldOutLossOptions,
): { loss: number; tokens: number } {
  const windowLen = options.seqLen + 1;
  const starts = evalWindowStarts(stream.length, windowLen, options.windows);
  let sum = 0;
  for (let i = 0; i < starts.length; i += options.batchSize) {
    const chunk = starts.slice(i, i + options.batchSize);
    const batch = windowBatch(stream, chunk, windowLen);
    // Every window has seqLen targets, so the overall mean weights each batch mean by its window count.
    const mean = tf.tidy(() => causalLmLoss(model, batch).dataSync()[0] as number);
    sum += mean * chunk.length;
  }
  return { loss: sum / starts.length, tokens: starts.length * options.seqLen };
}
