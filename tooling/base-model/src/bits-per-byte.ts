/**
 * Held-out bits per byte: the model's total next-token cross-entropy on a fixed text, in bits, divided by the text's
 * UTF-8 bytes. Unlike loss per token it does not depend on the tokenizer, so models with different vocabularies
 * compare on the same text. The text is the v2 corpus's held-out split (`bitsPerByteText`): for `models/meta-lora-base`
 * (trained on the v1 train split, whose chunks are v2 train chunks) and for v2 models alike, none of it was trained on.
 *
 * The documents are packed as `<|endoftext|> doc <|endoftext|> doc …` and cut into consecutive windows of
 * `seqLen + 1` tokens overlapping by one, so every token after the first is predicted exactly once, from the context
 * since its window's start; a last, shorter remainder is scored in a window ending at the stream's end, with the
 * positions scored already masked out (`IGNORE_INDEX`).
 */
import { causalLmLoss, IGNORE_INDEX, type LlamaModel, type TokenBatch, tf } from '@meta-lora/lora-core';
import type { CorpusDocument } from './corpus.ts';
import { type EncodeFn, packDocuments } from './token-stream.ts';

export interface BitsPerByteText {
  /** The packed stream under the model's tokenizer. */
  readonly stream: Uint16Array;
  /** UTF-8 bytes of the documents' texts (separators excluded). */
  readonly bytes: number;
  readonly documents: number;
}

export interface BitsPerByte {
  readonly bitsPerByte: number;
  readonly bytes: number;
  /** Tokens predicted (every token of the stream but the first). */
  readonly tokens: number;
  /** Mean loss per predicted token, in nats (for reference; it depends on the tokenizer). */
  readonly lossPerToken: number;
}

const utf8 = new TextEncoder();

/**
 * The fixed text encoded with one model's tokenizer.
 *
 * @example
 * const text = bitsPerByteText(corpusV2.heldOut, (t) => tokenizer.encode(t, { addSpecialTokens: false }), 0);
 */
export function bitsPerByteText(
  docs: readonly Pick<CorpusDocument, 'text'>[],
  encode: EncodeFn,
  eosId: number,
): BitsPerByteText {
  const bytes = docs.reduce((sum, d) => sum + utf8.encode(d.text).length, 0);
  return { stream: packDocuments(docs, encode, eosId), bytes, documents: docs.length };
}

/** Window starts and, per window, the first position whose target counts. */
function scoredWindows(length: number, windowLen: number): { start: number; firstTarget: number }[] {
  const seqLen = windowLen - 1;
  const out: { start: number; firstTarget: number }[] = [];
  let start = 0;
  for (; start + windowLen <= length; start += seqLen) out.push({ start, firstTarget: 1 });
  // Tokens start + 1 … length - 1 are left: one window ending at the stream's end scores only them.
  const covered = start;
  if (covered < length - 1) {
    const tail = Math.max(0, length - windowLen);
    out.push({ start: tail, firstTarget: covered + 1 - tail });
  }
  return out;
}

/**
 * @example
 * const { bitsPerByte } = measureBitsPerByte(model, text, { seqLen: 128, batchSize: 16 });
 */
export function measureBitsPerByte(
  model: LlamaModel,
  text: BitsPerByteText,
  options: { readonly seqLen: number; readonly batchSize: number },
): BitsPerByte {
  const windowLen = options.seqLen + 1;
  const windows = scoredWindows(text.stream.length, windowLen);
  let nats = 0;
  let tokens = 0;
  // Windows of equal length batch together; a stream shorter than one window is a single short window.
  for (let i = 0; i < windows.length; i += options.batchSize) {
    const group = windows.slice(i, i + options.batchSize);
    const len = Math.min(windowLen, text.stream.length);
    const inputIds = new Int32Array(group.length * len);
    const labels = new Int32Array(group.length * len);
    let targets = 0;
    group.forEach(({ start, firstTarget }, b) => {
      for (let t = 0; t < len; t++) {
        const id = text.stream[start + t] as number;
        inputIds[b * len + t] = id;
        labels[b * len + t] = t >= firstTarget ? id : IGNORE_INDEX;
        if (t >= firstTarget) targets++;
      }
    });
    if (targets === 0) continue;
    const batch: TokenBatch = { batchSize: group.length, seqLen: len, inputIds, labels };
    const mean = tf.tidy(() => causalLmLoss(model, batch).dataSync()[0] as number);
    nats += mean * targets;
    tokens += targets;
  }
  return {
    bitsPerByte: nats / Math.LN2 / text.bytes,
    bytes: text.bytes,
    tokens,
    lossPerToken: tokens === 0 ? 0 : nats / tokens,
  };
}
