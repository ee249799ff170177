import { afterAll, describe, expect, it } from 'vitest';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { generate } from './generate.ts';
import { generateGreedyBatch } from './generate-batch.ts';
import { prefixCache, repeatCache } from './prefix-cache.ts';

await initBackend({ quiet: true });

describe('generateGreedyBatch', () => {
  const model = createTinyModel(41);
  afterAll(() => model.dispose());
  const prompts = [[3], [3, 9, 14], [7, 1, 2, 8, 5], [11, 4, 6, 6, 2, 9, 1]];
  const one = (p: readonly number[], eosTokenIds: number[] = []) =>
    generate(model, p, { maxNewTokens: 6, greedy: true, eosTokenIds });

  it('gives each prompt of a left-padded batch the ids generate gives it alone', () => {
    expect(generateGreedyBatch(model, prompts, { maxNewTokens: 6, eosTokenIds: [] })).toEqual(
      prompts.map((p) => one(p)),
    );
  });

  it('drops a row at its EOS and carries on with the others', () => {
    const eos = one(prompts[2]!)[1]!; // the second id of row 2 ends it
    const batch = generateGreedyBatch(model, prompts, { maxNewTokens: 6, eosTokenIds: [eos] });
    expect(batch).toEqual(prompts.map((p) => one(p, [eos])));
    expect(batch[2]!.length).toBeLessThanOrEqual(2);
  });

  it('stops a row where stopAfter says, with the row index', () => {
    const seen = new Set<number>();
    const stopAfter = (row: number, ids: readonly number[]) => {
      seen.add(row);
      return row === 1 && ids.length === 2;
    };
    const batch = generateGreedyBatch(model, prompts, { maxNewTokens: 6, eosTokenIds: [], stopAfter });
    expect(batch[1]).toEqual(one(prompts[1]!).slice(0, 2));
    expect(batch[3]).toEqual(one(prompts[3]!));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });

  it('leaks no tensors', () => {
    generateGreedyBatch(model, prompts, { maxNewTokens: 2, eosTokenIds: [] }); // warm the model's caches
    const before = tf.memory().numTensors;
    generateGreedyBatch(model, prompts, { maxNewTokens: 6, eosTokenIds: [one(prompts[0]!)[0]!] });
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('after a shared prefix', () => {
    const prefix = [1, 12, 5, 9, 9, 3, 17, 4];
    const suffixes = [
      [6, 2, 8],
      [13, 13, 1],
      [5, 20, 7],
    ];
    const run = (rows: number[][], eosTokenIds: number[] = []) => {
      const cache = prefixCache(model, prefix);
      try {
        return generateGreedyBatch(model, rows, { maxNewTokens: 6, eosTokenIds, prefix: cache });
      } finally {
        cache.dispose();
      }
    };

    it("gives each row the ids generate gives the prefix and the row's prompt together", () => {
      expect(run(suffixes)).toEqual(suffixes.map((s) => one([...prefix, ...s])));
    });

    it('drops a row at its EOS and carries on with the others, as without a prefix', () => {
      const eos = one([...prefix, ...suffixes[1]!])[1]!;
      expect(run(suffixes, [eos])).toEqual(suffixes.map((s) => one([...prefix, ...s], [eos])));
    });

    it('gives a single row after the prefix the ids generate gives it', () => {
      expect(run([suffixes[2]!])).toEqual([one([...prefix, ...suffixes[2]!])]);
    });

    it('refuses prompts of different lengths, naming the lengths', () => {
      expect(() => run([[6, 2, 8], [13]])).toThrow(/one length, got 3, 1/);
    });

    it('refuses a prefix cache of more than one row', () => {
      const cache = prefixCache(model, prefix);
      const two = repeatCache(cache, 2);
      expect(() => generateGreedyBatch(model, suffixes, { maxNewTokens: 2, prefix: two })).toThrow(
        /filled batch-1 cache without padding, got 2 rows of 8 positions/,
      );
      two.dispose();
      cache.dispose();
    });

    it('leaks no tensors and leaves the prefix cache as it was', () => {
      const cache = prefixCache(model, prefix);
      const opts = { maxNewTokens: 6, eosTokenIds: [], prefix: cache };
      generateGreedyBatch(model, suffixes, opts); // warm the model's caches
      const before = tf.memory().numTensors;
      const again = generateGreedyBatch(model, suffixes, opts);
      expect(tf.memory().numTensors).toBe(before);
      expect(cache.length).toBe(prefix.length);
      expect(again).toEqual(suffixes.map((s) => one([...prefix, ...s])));
      cache.dispose();
    });
  });
});
