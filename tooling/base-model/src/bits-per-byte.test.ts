import { causalLmLoss, createTinyModel, initBackend, type LlamaModel, tf } from '@meta-lora/lora-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitsPerByteText, measureBitsPerByte } from './bits-per-byte.ts';
import { windowBatch } from './windows.ts';

// Byte-valued "tokens" (mod 30, offset past the specials) on a tiny random model.
const encode = (text: string) => [...new TextEncoder().encode(text)].map((b) => 2 + (b % 30));
const docs = [{ text: 'The cat sat on the mat.' }, { text: 'Il était une fois.' }, { text: 'Жили-были.' }];
let model: LlamaModel;

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  model = createTinyModel(0);
});
afterAll(() => model.dispose());

describe('measureBitsPerByte', () => {
  it('counts the UTF-8 bytes of the texts and predicts every token after the first exactly once', () => {
    const text = bitsPerByteText(docs, encode, 0);
    expect(text.bytes).toBe(23 + 19 + 18);
    expect(text.stream.length).toBe(text.bytes + docs.length);
    for (const seqLen of [4, 7, 16, 200]) {
      expect(measureBitsPerByte(model, text, { seqLen, batchSize: 3 }).tokens).toBe(text.stream.length - 1);
    }
  });

  it('equals the mean causal-LM loss, in bits, per byte when one window holds the whole text', () => {
    const text = bitsPerByteText(docs, encode, 0);
    const n = text.stream.length;
    const mean = tf.tidy(() => causalLmLoss(model, windowBatch(text.stream, [0], n)).dataSync()[0] as number);
    const result = measureBitsPerByte(model, text, { seqLen: n - 1, batchSize: 1 });
    expect(result.bitsPerByte).toBeCloseTo((mean * (n - 1)) / Math.LN2 / text.bytes, 5);
  });

  it('does not depend on the batch size beyond rounding', () => {
    const text = bitsPerByteText(docs, encode, 0);
    const a = measureBitsPerByte(model, text, { seqLen: 5, batchSize: 1 }).bitsPerByte;
    const b = measureBitsPerByte(model, text, { seqLen: 5, batchSize: 4 }).bitsPerByte;
    expect(a).toBeCloseTo(b, 5);
  });
});
