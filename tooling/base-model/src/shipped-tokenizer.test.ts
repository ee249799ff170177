import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';

// The tokenizer committed for the default base model (regenerate: pnpm --filter @meta-lora/base-model run train-tokenizer).
const dir = fileURLToPath(new URL('../../../models/meta-lora-base/', import.meta.url));
const read = (name: string) => JSON.parse(readFileSync(`${dir}${name}`, 'utf8'));
const hf = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));

describe('models/meta-lora-base tokenizer', () => {
  it('has 8192 tokens with <|endoftext|> = 0 and <|pad|> = 1', () => {
    expect(hf.get_vocab(true).size).toBe(8192);
    expect([hf.token_to_id('<|endoftext|>'), hf.token_to_id('<|pad|>')]).toEqual([0, 1]);
  });

  it('round-trips text in every corpus script', () => {
    const text =
      'Once upon a time, there was a little girl. Il était une fois. Es war einmal. Érase una vez. ' +
      'C’era una volta. Жили-были. كان يا ما كان. 从前有座山。 むかしむかし。 एक समय की बात है। 🙂\n' +
      'The ls command lists directory contents. Afficher le contenu de répertoires. Verzeichnisinhalte auflisten. ' +
      'Список файлов. عرض محتويات الدليل. 列出目录内容。 ディレクトリの内容を表示する。 सूची दिखाएँ।\n';
    const ids = hf.encode(text).ids;
    expect(ids[0]).toBe(0);
    expect(hf.decode(ids, { skip_special_tokens: true })).toBe(text);
  });

  it('compresses English to under one token per 4 characters', () => {
    const english = 'The President said that the Congress of the United States would meet in the spring.';
    expect(hf.encode(english, { add_special_tokens: false }).ids.length).toBeLessThan(english.length / 4);
  });
});
