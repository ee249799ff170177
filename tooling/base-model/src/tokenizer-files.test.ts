import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { BpeEncoder } from './bpe-encoder.ts';
import { countWords, trainBpe } from './bpe-trainer.ts';
import { buildCorpus } from './corpus.ts';
import { CORPUS_SOURCES } from './corpus-sources.ts';
import { buildTokenizerFiles, SPECIAL_TOKENS, writeTokenizerFiles } from './tokenizer-files.ts';

// Trained on the Universal Declaration of Human Rights in the ten corpus languages.
const udhr = buildCorpus({ sources: CORPUS_SOURCES.filter((s) => s.name === 'udhr'), heldOutFraction: 0 });
const model = trainBpe(countWords(udhr.train.map((d) => d.text).join('\n'), new Map()), {
  vocabSize: 1024,
  specialTokens: SPECIAL_TOKENS,
});
const files = buildTokenizerFiles(model, { modelMaxLength: 256 });
const hf = new Tokenizer(files['tokenizer.json'] as object, files['tokenizer_config.json'] as object);
const ours = new BpeEncoder(model);

const MIXED =
  'Everyone has the right to life, liberty and security of person. Tout individu a droit à la vie. ' +
  'Jeder hat das Recht auf Leben. Todo individuo tiene derecho a la vida. Ognuno ha diritto alla vita. ' +
  'Каждый человек имеет право на жизнь. لكل فرد الحق في الحياة. 人人有权享有生命、自由和人身安全。 ' +
  'すべての人は、生命、自由及び身体の安全に対する権利を有する。 प्रत्येक व्यक्ति को जीवन का अधिकार है। ' +
  "🙂👍🏽🇯🇵 it's 1948!\n\n\t<|endoftext|>  end  ";

/** A random string of `n` Unicode scalar values, half from the corpus scripts and half from anywhere. */
function randomUnicode(rng: Rng, n: number): string {
  const ranges: [number, number][] = [
    [0x20, 0x7e],
    [0x00, 0x1f],
    [0xa0, 0x24f],
    [0x400, 0x4ff],
    [0x600, 0x6ff],
    [0x900, 0x97f],
    [0x3040, 0x30ff],
    [0x4e00, 0x9fff],
    [0x1f300, 0x1faff],
  ];
  let out = '';
  for (let i = 0; i < n; i++) {
    let cp: number;
    if (rng.next() < 0.5) {
      const [lo, hi] = ranges[rng.int(ranges.length)] as [number, number];
      cp = lo + rng.int(hi - lo + 1);
    } else {
      do cp = rng.int(0x110000);
      while (cp >= 0xd800 && cp <= 0xdfff);
    }
    out += String.fromCodePoint(cp);
  }
  return out;
}

describe('tokenizer files', () => {
  it('load in @huggingface/tokenizers and encode mixed-script text exactly as the trainer’s encoder', () => {
    const theirs = hf.encode(MIXED, { add_special_tokens: false }).ids;
    expect(theirs).toEqual(ours.encode(MIXED));
    expect(theirs.length).toBeLessThan(new TextEncoder().encode(MIXED).length / 2); // merges apply
  });

  it('prepend BOS when special tokens are added', () => {
    expect(hf.encode('hi').ids).toEqual([0, ...ours.encode('hi')]);
  });

  it('round-trip random Unicode through @huggingface/tokenizers and the trainer’s encoder', () => {
    const rng = Rng.fromSeed(2510);
    for (let trial = 0; trial < 50; trial++) {
      const text = randomUnicode(rng, 1 + rng.int(200));
      const ids = hf.encode(text, { add_special_tokens: false }).ids;
      expect(ids).toEqual(ours.encode(text));
      expect(hf.decode(ids)).toBe(text);
      expect(ours.decode(ids)).toBe(text);
    }
  });

  it('write tokenizer.json, tokenizer_config.json and special_tokens_map.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meta-lora-bpe-'));
    try {
      writeTokenizerFiles(dir, files);
      const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
      expect([config.bos_token, config.eos_token, config.pad_token]).toEqual([
        '<|endoftext|>',
        '<|endoftext|>',
        '<|pad|>',
      ]);
      expect(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'))).toEqual(files['tokenizer.json']);
      expect(JSON.parse(readFileSync(join(dir, 'special_tokens_map.json'), 'utf8')).pad_token).toBe('<|pad|>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
