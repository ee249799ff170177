import { Rng } from '@meta-lora/artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { applyRepetitionPenalty, generate } from './generate.ts';

await initBackend({ quiet: true });

describe('generate', () => {
  const model = createTinyModel(41);
  afterAll(() => model.dispose());

  it('greedy decoding with the KV cache equals argmax over full re-forwards', () => {
    const prompt = [3, 9, 14];
    const fast = generate(model, prompt, { maxNewTokens: 6, greedy: true, eosTokenIds: [] });
    const slow: number[] = [];
    const seq = [...prompt];
    for (let i = 0; i < 6; i++) {
      const logits = model.logits(tf.tensor2d([seq], [1, seq.length], 'int32'));
      const last = tf.slice(logits, [0, seq.length - 1, 0], [1, 1, -1]).reshape([-1]);
      const id = last.argMax().dataSync()[0]!;
      slow.push(id);
      seq.push(id);
    }
    expect(fast).toEqual(slow);
  });

  it('sampling is reproducible from the seed', () => {
    const a = generate(model, [3], {
      maxNewTokens: 8,
      temperature: 1.5,
      topP: 0.9,
      rng: Rng.fromSeed(1),
      eosTokenIds: [],
    });
    const b = generate(model, [3], {
      maxNewTokens: 8,
      temperature: 1.5,
      topP: 0.9,
      rng: Rng.fromSeed(1),
      eosTokenIds: [],
    });
    expect(a).toEqual(b);
  });

  it('stops at an EOS id', () => {
    const free = generate(model, [5, 6], { maxNewTokens: 5, greedy: true, eosTokenIds: [] });
    const stopped = generate(model, [5, 6], { maxNewTokens: 5, greedy: true, eosTokenIds: [free[1]!] });
    expect(stopped.length).toBeLessThanOrEqual(2);
  });

  it('stopAfter ends where it says, on the ids a longer run starts with', () => {
    const free = generate(model, [5, 6], { maxNewTokens: 6, greedy: true, eosTokenIds: [] });
    const seen: number[][] = [];
    const stopAfter = (ids: readonly number[]) => {
      seen.push([...ids]);
      return ids.length === 3;
    };
    expect(generate(model, [5, 6], { maxNewTokens: 6, greedy: true, eosTokenIds: [], stopAfter })).toEqual(
      free.slice(0, 3),
    );
    expect(seen).toEqual([free.slice(0, 1), free.slice(0, 2), free.slice(0, 3)]);
  });

  it('refuses prompt ids outside the vocabulary', () => {
    expect(() => generate(model, [999], { maxNewTokens: 1, greedy: true })).toThrow(/outside the vocabulary/);
  });

  it('repetitionPenalty 1 gives the same ids as no penalty, greedy and sampled', () => {
    const greedy = { maxNewTokens: 8, greedy: true, eosTokenIds: [] };
    expect(generate(model, [5, 6], { ...greedy, repetitionPenalty: 1 })).toEqual(generate(model, [5, 6], greedy));
    const sampled = (penalty?: number) =>
      generate(model, [3], {
        maxNewTokens: 8,
        temperature: 1.5,
        topP: 0.9,
        rng: Rng.fromSeed(2),
        eosTokenIds: [],
        ...(penalty === undefined ? {} : { repetitionPenalty: penalty }),
      });
    expect(sampled(1)).toEqual(sampled());
  });

  it('greedy with a penalty is argmax of the penalised full-forward logits, prompt ids included', () => {
    const prompt = [5, 6];
    const fast = generate(model, prompt, { maxNewTokens: 8, greedy: true, eosTokenIds: [], repetitionPenalty: 1.5 });
    const seq = [...prompt];
    for (let i = 0; i < 8; i++) {
      const row = tf.tidy(() => {
        const logits = model.logits(tf.tensor2d([seq], [1, seq.length], 'int32')); // [1, T, V]
        return tf
          .slice(logits, [0, seq.length - 1, 0], [1, 1, -1])
          .reshape([-1])
          .dataSync() as Float32Array; // [V]
      });
      const penalised = applyRepetitionPenalty(Float32Array.from(row), seq, 1.5);
      seq.push(penalised.indexOf(Math.max(...penalised)));
    }
    expect(fast).toEqual(seq.slice(prompt.length));
  });

  it('a penalty of 1.5 breaks the two-token loop that greedy decoding falls into', () => {
    const options = { maxNewTokens: 12, greedy: true, eosTokenIds: [] };
    const plain = generate(model, [5, 6], options); // 17, 1, 10, 1, 23, 24, 23, 24, …
    expect(plain.slice(4)).toEqual([23, 24, 23, 24, 23, 24, 23, 24]);
    const penalised = generate(model, [5, 6], { ...options, repetitionPenalty: 1.5 });
    expect(penalised.filter((id, i) => id === penalised[i - 1] || id === penalised[i - 2])).toEqual([]);
  });

  it('refuses a repetitionPenalty that is not > 0, naming it', () => {
    for (const repetitionPenalty of [0, -1.2, Number.NaN]) {
      expect(() => generate(model, [3], { maxNewTokens: 1, greedy: true, repetitionPenalty })).toThrow(
        /repetitionPenalty must be a finite number > 0/,
      );
    }
  });
});

describe('applyRepetitionPenalty', () => {
  it("divides positive and multiplies negative logits of seen ids once each, as HF's processor does", () => {
    const row = Float32Array.of(3, -2, 0.5, 0, -1);
    applyRepetitionPenalty(row, [0, 1, 1, 3, 0], 2);
    expect([...row]).toEqual([1.5, -4, 0.5, 0, -1]);
  });
});
