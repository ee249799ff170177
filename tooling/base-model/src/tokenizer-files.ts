/**
 * Hugging Face files for a trained byte-level BPE: `tokenizer.json` (the `tokenizers` serialisation: BPE model,
 * ByteLevel pre-tokenizer and decoder, a TemplateProcessing post-processor that prepends BOS), `tokenizer_config.json`
 * (special tokens, `chat_template`) and `special_tokens_map.json`.
 *
 * Special tokens: `<|endoftext|>` (id 0) is BOS and EOS, as in GPT-2 and SmolLM, so packed pretraining text reads
 * `<|endoftext|> doc <|endoftext|> doc …`; `<|pad|>` (id 1) is a separate PAD that training never sees as a target.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@meta-lora/artifacts';
import type { BpeModel } from './bpe-trainer.ts';

/** BOS and EOS. */
export const EOS_TOKEN = '<|endoftext|>';
/** Padding. */
export const PAD_TOKEN = '<|pad|>';
/** The special tokens of meta-lora's tokenizers, in id order. */
export const SPECIAL_TOKENS: readonly string[] = [EOS_TOKEN, PAD_TOKEN];

/**
 * A plain-text chat format the base model can read: `User: …` / `Assistant: …` lines, EOS after each assistant turn.
 * The generation prompt is `Assistant:` without a trailing space, so a prompt's tokens are a prefix of the tokens of
 * the full conversation (the space belongs to the answer's first pre-token, ` ?\p{L}+`).
 */
export const CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] + '\\n\\n' }}" +
  "{% elif message['role'] == 'user' %}{{ 'User: ' + message['content'] + '\\n' }}" +
  "{% elif message['role'] == 'assistant' %}{{ 'Assistant: ' + message['content'] + eos_token + '\\n' }}" +
  "{% else %}{{ raise_exception('unknown chat role: ' + message['role']) }}{% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

export interface TokenizerFiles {
  readonly 'tokenizer.json': unknown;
  readonly 'tokenizer_config.json': unknown;
  readonly 'special_tokens_map.json': unknown;
}

/**
 * The three HF tokenizer files for `model`, as JSON values.
 *
 * @example
 * const files = buildTokenizerFiles(model, { modelMaxLength: 512 });
 * files['tokenizer.json']; // { version: '1.0', model: { type: 'BPE', … }, … }
 */
export function buildTokenizerFiles(model: BpeModel, options: { modelMaxLength: number }): TokenizerFiles {
  const specials = model.specialTokens;
  const [bos, pad] = [specials[0] ?? EOS_TOKEN, specials[1] ?? specials[0] ?? EOS_TOKEN];
  // A null-prototype object, so a token spelled `__proto__` is an ordinary key.
  const vocab: Record<string, number> = Object.create(null);
  model.tokens.forEach((token, i) => {
    vocab[token] = specials.length + i;
  });
  const addedTokens = specials.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [0], tokens: [bos] } },
    },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: model.merges.map(([left, right]) => `${left} ${right}`),
    },
  };
  const addedTokensDecoder = Object.fromEntries(addedTokens.map(({ id, ...rest }) => [String(id), rest]));
  const tokenizerConfig = {
    add_bos_token: true,
    add_eos_token: false,
    added_tokens_decoder: addedTokensDecoder,
    bos_token: bos,
    eos_token: bos,
    pad_token: pad,
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_max_length: options.modelMaxLength,
    tokenizer_class: 'PreTrainedTokenizerFast',
    chat_template: CHAT_TEMPLATE,
  };
  const specialTokensMap = { bos_token: bos, eos_token: bos, pad_token: pad };
  return {
    'tokenizer.json': tokenizerJson,
    'tokenizer_config.json': tokenizerConfig,
    'special_tokens_map.json': specialTokensMap,
  };
}

/**
 * Writes the files into `dir`, each atomically, as 2-space-indented JSON with a trailing newline.
 *
 * @example
 * writeTokenizerFiles('models/meta-lora-base', buildTokenizerFiles(model, { modelMaxLength: 512 }));
 */
export function writeTokenizerFiles(dir: string, files: TokenizerFiles): void {
  for (const [name, value] of Object.entries(files)) {
    writeFileAtomic(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  }
}
