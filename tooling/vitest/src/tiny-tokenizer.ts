/**
 * A tiny but real Hugging Face byte-level BPE `tokenizer.json` for tests: the 256 GPT-2 byte symbols (ids 2–257),
 * three merges (`Ġ t`, `h e`, `Ġt he`, ids 258–260), two special tokens (ids 0 and 1), and a post-processor that
 * prepends the first special token as BOS.
 */

/** The GPT-2 byte → unicode map, in byte order. */
function byteChars(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let shifted = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCharCode(printable(b) ? b : 256 + shifted++));
}

export interface TinyTokenizer {
  /** The `tokenizer.json` object. */
  readonly json: Record<string, unknown>;
  /** Token → id, for expectations. */
  readonly vocab: Readonly<Record<string, number>>;
}

/**
 * @example
 * writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizer('<s>', '</s>').json));
 */
export function tinyTokenizer(bos: string, second: string): TinyTokenizer {
  const vocab: Record<string, number> = Object.create(null);
  [...byteChars(), 'Ġt', 'he', 'Ġthe'].forEach((t, i) => {
    vocab[t] = i + 2;
  });
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, bos), special(1, second)],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [],
      special_tokens: { [bos]: { id: bos, ids: [0], tokens: [bos] } },
    },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: ['Ġ t', 'h e', 'Ġt he'],
    },
  };
  return { json, vocab };
}
