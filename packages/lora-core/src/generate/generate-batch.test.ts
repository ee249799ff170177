import { afterAll, describe, expect, it } from 'vitest';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { generate } from './generate.ts';
import { generateGreedyBatch } from './generate-batch.ts';

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
});
