import { ByteLevelPreTokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { BYTE_TO_CHAR, fromByteLevel, preTokenize, toByteLevel } from './byte-level.ts';

describe('byte-level', () => {
  it('maps the 256 bytes to 256 distinct non-space characters', () => {
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    expect(BYTE_TO_CHAR.some((c) => /\s/.test(c))).toBe(false);
    expect([BYTE_TO_CHAR[32], BYTE_TO_CHAR[10], BYTE_TO_CHAR[65]]).toEqual(['Ġ', 'Ċ', 'A']);
  });

  it('spells bytes reversibly', () => {
    const text = 'a é 你 🙂\n';
    expect(new TextDecoder().decode(fromByteLevel(toByteLevel(text)))).toBe(text);
  });

  it('pre-tokenizes exactly as the HF ByteLevel pre-tokenizer', () => {
    const hf = new ByteLevelPreTokenizer({ type: 'ByteLevel', add_prefix_space: false, use_regex: true });
    const text = "I'll say  it's 42,000 km!\n\n  Привет — мир. مرحبا 你好。 नमस्ते 🙂🙂\t x ";
    expect(preTokenize(text)).toEqual(hf.pre_tokenize_text(text, {}));
  });
});
