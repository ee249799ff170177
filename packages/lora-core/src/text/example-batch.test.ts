import { MetaLoraError } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { IGNORE_INDEX } from '../train/loss.ts';
import { encodeExample, exampleBatch, idExampleBatch } from './example-batch.ts';

const X = IGNORE_INDEX;

/** A character-level stand-in tokenizer: 'a' → 10, 'b' → 11, …; BOS 1, EOS 2, no PAD. */
const charTokenizer = {
  bosTokenId: 1,
  eosTokenId: 2,
  padTokenId: undefined,
  encode: (text: string) => [...text].map((c) => c.charCodeAt(0) - 87),
};

describe('idExampleBatch', () => {
  it('labels only the target tokens and right-pads every row to the longest', () => {
    const batch = idExampleBatch(
      [
        { prefixIds: [1], promptIds: [5, 6], targetIds: [7, 2] },
        { prefixIds: [1], promptIds: [5], targetIds: [8] },
      ],
      { maxSeqLen: 16, padTokenId: 0 },
    );
    expect([batch.batchSize, batch.seqLen]).toEqual([2, 5]);
    expect([...batch.inputIds]).toEqual([1, 5, 6, 7, 2, 1, 5, 8, 0, 0]);
    expect([...batch.labels]).toEqual([X, X, X, 7, 2, X, X, 8, X, X]);
    expect([batch.promptTokens, batch.targetTokens, batch.truncatedTokens]).toEqual([5, 3, 0]);
  });

  it('cuts the prompt from the left, keeping the prefix and the whole target', () => {
    const batch = idExampleBatch([{ prefixIds: [1], promptIds: [3, 4, 5, 6], targetIds: [7, 2] }], {
      maxSeqLen: 5,
      padTokenId: 0,
    });
    expect([...batch.inputIds]).toEqual([1, 5, 6, 7, 2]);
    expect(batch.truncatedTokens).toBe(2);
  });

  it('refuses a target that does not fit maxSeqLen on its own, naming the fix', () => {
    const call = () =>
      idExampleBatch([{ prefixIds: [1], promptIds: [3], targetIds: [7, 8, 2] }], { maxSeqLen: 3, padTokenId: 0 });
    expect(call).toThrowError(MetaLoraError);
    expect(call).toThrowError(
      /target \(3 tokens\) plus prefix \(1\) does not fit maxSeqLen = 3[\s\S]*raise maxSeqLen to at least 5/,
    );
  });

  it('refuses an empty batch and an empty target', () => {
    expect(() => idExampleBatch([], { maxSeqLen: 8, padTokenId: 0 })).toThrowError(/zero examples/);
    expect(() => idExampleBatch([{ promptIds: [3], targetIds: [] }], { maxSeqLen: 8, padTokenId: 0 })).toThrowError(
      /empty target/,
    );
  });
});

describe('exampleBatch', () => {
  it('encodes [bos] + input + target + [eos] and pads with EOS when there is no PAD', () => {
    expect(encodeExample(charTokenizer, { input: 'ab', target: 'c' })).toEqual({
      prefixIds: [1],
      promptIds: [10, 11],
      targetIds: [12, 2],
    });
    const batch = exampleBatch(
      charTokenizer,
      [
        { input: 'ab', target: 'c' },
        { input: 'a', target: 'b' },
      ],
      { maxSeqLen: 8 },
    );
    expect([...batch.inputIds]).toEqual([1, 10, 11, 12, 2, 1, 10, 11, 2, 2]);
    expect([...batch.labels]).toEqual([X, X, X, 12, 2, X, X, 11, 2, X]);
  });
});
