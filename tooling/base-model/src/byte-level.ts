/**
 * GPT-2 byte-level pre-tokenization, exactly as Hugging Face `tokenizers` runs its `ByteLevel` pre-tokenizer with
 * `use_regex: true, add_prefix_space: false`: split the text with the GPT-2 regex, then spell each piece's UTF-8 bytes
 * with the printable characters of GPT-2's `bytes_to_unicode` table (space → `Ġ`, newline → `Ċ`, …).
 * Reference: openai/gpt-2 `encoder.py`, huggingface/tokenizers `pre_tokenizers/byte_level.rs`.
 */

/** The GPT-2 split pattern (HF `ByteLevel` with `use_regex: true`), in JavaScript `u` mode. */
export const GPT2_SPLIT_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** `BYTE_TO_CHAR[b]` is the printable character GPT-2 uses for byte `b`. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Inverse of `BYTE_TO_CHAR`: character code → byte. */
const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((char, byte) => [char, byte]));

function buildByteToChar(): string[] {
  // Printable Latin-1 bytes map to themselves; the other 68 bytes map to U+0100.. in byte order.
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(printable(b) ? b : 256 + shifted++));
  return out;
}

const utf8 = new TextEncoder();

/**
 * Splits `text` into GPT-2 pre-tokens, each spelled in byte-level characters.
 *
 * @example
 * preTokenize('Hello world!'); // ['Hello', 'Ġworld', '!']
 */
export function preTokenize(text: string): string[] {
  const pieces = text.match(GPT2_SPLIT_PATTERN) ?? [];
  return pieces.map(toByteLevel);
}

/**
 * Spells the UTF-8 bytes of `piece` with GPT-2's byte characters.
 *
 * @example
 * toByteLevel(' é'); // 'ĠÃ©'
 */
export function toByteLevel(piece: string): string {
  let out = '';
  for (const byte of utf8.encode(piece)) out += BYTE_TO_CHAR[byte];
  return out;
}

/**
 * The bytes a byte-level string spells; `undefined` when it holds a character outside the GPT-2 table.
 *
 * @example
 * fromByteLevel('ĠÃ©'); // Uint8Array [32, 195, 169]
 */
export function fromByteLevel(chars: string): Uint8Array | undefined {
  const out = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) {
    const byte = CHAR_TO_BYTE.get(chars[i] as string);
    if (byte === undefined) return undefined;
    out[i] = byte;
  }
  return out;
}
