/**
 * A tiny but real Hugging Face byte-level BPE `tokenizer.json` for tests: the shipped tokenizer (see
 * `shipped-tokenizer.ts`) with its two special tokens renamed (ids 0 and 1; the first is BOS) and its vocabulary cut to
 * the 256 GPT-2 byte symbols (ids 2–257) and three merges (`Ġ t`, `h e`, `Ġt he`, ids 258–260).
 */
import { shippedTokenizerFiles, type TokenizerFiles } from './shipped-tokenizer.ts';

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
  const shipped = JSON.parse(shippedTokenizerFiles().files['tokenizer.json'] as string);
  const specials = (shipped.added_tokens as { content: string }[]).map((t) => JSON.stringify(t.content));
  // Each special token renamed wherever it stands (added tokens, post-processor); then the tiny vocabulary and merges.
  const renamed = [bos, second].reduce(
    (text, name, i) => text.replaceAll(specials[i] as string, JSON.stringify(name)),
    JSON.stringify({ ...shipped, model: { ...shipped.model, vocab: {}, merges: [] } }),
  );
  const json = JSON.parse(renamed);
  json.model.vocab = vocab;
  json.model.merges = ['Ġ t', 'h e', 'Ġt he'];
  return { json, vocab };
}

/**
 * `tinyTokenizer('<s>', '</s>')` as a model directory carries it, with a tokenizer_config.json naming BOS and EOS, and
 * the config.json fields that match it (vocabulary 261, BOS 0, EOS 1).
 *
 * @example
 * await saveModel(createTinyModel(0, tinyTokenizerFiles().modelConfig), dir, { extraFiles: tinyTokenizerFiles().files });
 */
export function tinyTokenizerFiles(): TokenizerFiles {
  const { json, vocab } = tinyTokenizer('<s>', '</s>');
  return {
    files: {
      'tokenizer.json': JSON.stringify(json),
      'tokenizer_config.json': JSON.stringify({ bos_token: '<s>', eos_token: '</s>' }),
    },
    modelConfig: { vocab_size: 2 + Object.keys(vocab).length, bos_token_id: 0, eos_token_id: 1 },
  };
}
