import { readFileSync } from 'node:fs';
import { configHash } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { parsePretrainConfig, pretrainConfigHash } from './pretrain-config.ts';

describe('pretrainConfigHash', () => {
  it('hashes a v1 config as before the data section existed, so v1 runs still resume', () => {
    const config = parsePretrainConfig({});
    const { restarts: _, ...train } = config.train;
    expect(config.data.corpus).toBe('v1');
    expect(pretrainConfigHash(config)).toBe(configHash({ model: config.model, train }));
  });

  it('tells the corpora apart', () => {
    const v2 = parsePretrainConfig({ data: { corpus: 'v2' } });
    expect(pretrainConfigHash(v2)).not.toBe(pretrainConfigHash(parsePretrainConfig({})));
  });

  it('rejects an unknown corpus, naming the field', () => {
    expect(() => parsePretrainConfig({ data: { corpus: 'v3' } })).toThrow(/data\.corpus/);
  });
});

describe('configs/v2.json', () => {
  const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
  const config = parsePretrainConfig(read('../configs/v2.json'), 'configs/v2.json');

  it('trains on corpus v2 with the vocabulary of the committed tokenizer (models/meta-lora-base)', () => {
    const tokenizer = read('../../../models/meta-lora-base/tokenizer.json') as {
      model: { vocab: Record<string, number> };
      added_tokens: unknown[];
    };
    expect(config.data.corpus).toBe('v2');
    expect(Object.keys(tokenizer.model.vocab).length + tokenizer.added_tokens.length).toBe(config.model.vocabSize);
  });

  it('keeps most parameters outside the (tied) embedding', () => {
    const m = config.model;
    const kvDim = (m.hiddenSize / m.numAttentionHeads) * m.numKeyValueHeads;
    const layer =
      2 * m.hiddenSize * m.hiddenSize +
      2 * m.hiddenSize * kvDim +
      3 * m.hiddenSize * m.intermediateSize +
      2 * m.hiddenSize;
    const embedding = m.vocabSize * m.hiddenSize;
    const total = embedding + m.numHiddenLayers * layer + m.hiddenSize;
    expect(total).toBe(5_048_576);
    expect(embedding / total).toBeLessThan(0.5);
  });
});
