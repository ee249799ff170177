import { Rng } from '@meta-lora/artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { generate } from './generate.ts';
import { tf } from './tf.ts';
import { createTinyModel } from './tiny-model.ts';

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

  it('refuses prompt ids outside the vocabulary', () => {
    expect(() => generate(model, [999], { maxNewTokens: 1, greedy: true })).toThrow(/outside the vocabulary/);
  });
});
