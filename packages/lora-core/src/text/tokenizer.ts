/**
 * Tokenizers of Hugging Face model directories: `tokenizer.json` run by `@huggingface/tokenizers` (a pure-JS port of
 * HF `tokenizers`), with special tokens and the chat template from `tokenizer_config.json` when present.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { MetaLoraError, parseJsonText, showValue } from '@meta-lora/artifacts';
import { type ChatMessage, type ChatTemplate, type ChatTemplateOptions, compileChatTemplate } from './chat-template.ts';

export interface EncodeOptions {
  /** Run the post-processor (for HF Llama-style tokenizers: prepend BOS). Default true, as in HF. */
  readonly addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (BOS, EOS, PAD …) from the text. Default false. */
  readonly skipSpecialTokens?: boolean;
}

/** The fields of `tokenizer_config.json` this wrapper reads. */
interface TokenizerConfig {
  readonly bos_token?: unknown;
  readonly eos_token?: unknown;
  readonly pad_token?: unknown;
  readonly unk_token?: unknown;
  readonly chat_template?: unknown;
  readonly [key: string]: unknown;
}

/** A loaded tokenizer. Build one with `loadTokenizer`. */
export class Tokenizer {
  /** Number of token ids (largest id + 1), added tokens included: the embedding rows a model needs. */
  readonly vocabSize: number;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  private readonly chatTemplate: ChatTemplate | undefined;

  private constructor(
    private readonly hf: HfTokenizer,
    config: TokenizerConfig,
    private readonly paths: { readonly tokenizer: string; readonly config: string },
  ) {
    let maxId = -1;
    for (const id of hf.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const bos = tokenContent(config.bos_token);
    const eos = tokenContent(config.eos_token);
    const pad = tokenContent(config.pad_token);
    this.bosTokenId = bos === undefined ? undefined : hf.token_to_id(bos);
    this.eosTokenId = eos === undefined ? undefined : hf.token_to_id(eos);
    this.padTokenId = pad === undefined ? undefined : hf.token_to_id(pad);
    const source = chatTemplateSource(config.chat_template);
    this.chatTemplate =
      source === undefined
        ? undefined
        : compileChatTemplate(
            source,
            { bosToken: bos, eosToken: eos, padToken: pad, unkToken: tokenContent(config.unk_token) },
            paths.config,
          );
  }

  /**
   * @internal Use `loadTokenizer`. A `tokenizer.json` can construct and still fail on first use (a post-processor
   * whose template is missing, say), so the tokenizer encodes and decodes a probe text before it is returned.
   */
  static fromJson(tokenizerJson: unknown, config: TokenizerConfig, paths: { tokenizer: string; config: string }) {
    const loading = <T>(step: () => T): T => {
      try {
        return step();
      } catch (cause) {
        if (cause instanceof MetaLoraError && cause.code === 'TOKENIZER_INVALID') throw cause;
        throw new MetaLoraError(
          'TOKENIZER_INVALID',
          `${paths.tokenizer} is not a tokenizer @huggingface/tokenizers can load: ${(cause as Error).message}`,
          { path: paths.tokenizer, fix: 'save the tokenizer with HF tokenizers (tokenizer.save) or replace the file' },
          { cause },
        );
      }
    };
    const tokenizer = loading(() => new Tokenizer(new HfTokenizer(tokenizerJson as object, config), config, paths));
    loading(() => tokenizer.hf.decode(tokenizer.hf.encode('Probe: the cat, 42.').ids));
    return tokenizer;
  }

  /** `step` (a call into @huggingface/tokenizers), its failure a TOKENIZER_INVALID error naming the file. */
  private running<T>(what: string, step: () => T): T {
    try {
      return step();
    } catch (cause) {
      throw new MetaLoraError(
        'TOKENIZER_INVALID',
        `${this.paths.tokenizer} failed to ${what}: ${(cause as Error).message}`,
        { path: this.paths.tokenizer, fix: "replace tokenizer.json with the model's own" },
        { cause },
      );
    }
  }

  /** True when `tokenizer_config.json` has a `chat_template`. */
  get hasChatTemplate(): boolean {
    return this.chatTemplate !== undefined;
  }

  /**
   * Token ids of `text`.
   *
   * @example
   * tokenizer.encode('Hello'); // [0, 812, 271]: BOS first
   * tokenizer.encode('Hello', { addSpecialTokens: false }); // [812, 271]
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.running(
      'encode a text',
      () => this.hf.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids,
    );
  }

  /**
   * The text of `ids`.
   *
   * @example
   * tokenizer.decode(tokenizer.encode('Hello'), { skipSpecialTokens: true }); // 'Hello'
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new MetaLoraError(
          'DATA_INVALID',
          `token id ${showValue(id)} at position ${i} is outside the vocabulary [0, ${this.vocabSize})`,
          { field: 'ids', value: id, fix: 'decode ids produced by this tokenizer or a model with the same vocabulary' },
        );
      }
    }
    return this.running('decode token ids', () =>
      this.hf.decode(ids.slice(), { skip_special_tokens: options.skipSpecialTokens ?? false }),
    );
  }

  /**
   * Renders a conversation with the model's chat template. The result already holds the template's special tokens
   * (BOS for meta-lora's models), so encode it with `{ addSpecialTokens: false }`, as HF does.
   *
   * @example
   * const prompt = tokenizer.applyChatTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true });
   * tokenizer.encode(prompt, { addSpecialTokens: false });
   */
  applyChatTemplate(messages: readonly ChatMessage[], options: ChatTemplateOptions): string {
    if (this.chatTemplate === undefined) {
      throw new MetaLoraError('TOKENIZER_INVALID', 'this tokenizer has no chat template', {
        path: this.paths.config,
        field: 'chat_template',
        fix: 'add a chat_template to tokenizer_config.json, or format prompts as plain text',
      });
    }
    return this.chatTemplate.render(messages, options);
  }

  /**
   * A task prompt as one user turn of the chat template, ending in the assistant's generation prompt, without the
   * leading BOS the template writes (callers add BOS as an id, so it would appear twice).
   *
   * @example
   * tokenizer.chatPrompt('Review: great film\nSentiment:'); // "User: Review: …\nAssistant:" for meta-lora's models
   */
  chatPrompt(userText: string): string {
    const text = this.applyChatTemplate([{ role: 'user', content: userText }], { addGenerationPrompt: true });
    const bos = this.bosTokenId === undefined ? undefined : this.hf.id_to_token(this.bosTokenId);
    return bos && text.startsWith(bos) ? text.slice(bos.length) : text;
  }
}

/**
 * Loads the tokenizer of the HF model directory `dir`; `null` when it has no `tokenizer.json`.
 *
 * @example
 * const tokenizer = await loadTokenizer('models/meta-lora-base');
 * tokenizer?.encode('Once upon a time');
 */
export async function loadTokenizer(dir: string): Promise<Tokenizer | null> {
  const tokenizerPath = join(dir, 'tokenizer.json');
  const configPath = join(dir, 'tokenizer_config.json');
  const tokenizerText = await readIfExists(tokenizerPath);
  if (tokenizerText === undefined) return null;
  const tokenizerJson = parseJsonText(tokenizerText, tokenizerPath, {
    code: 'TOKENIZER_INVALID',
    what: 'tokenizer.json',
  });
  if (tokenizerJson === null || typeof tokenizerJson !== 'object' || Array.isArray(tokenizerJson)) {
    throw new MetaLoraError('TOKENIZER_INVALID', `${tokenizerPath} must hold a JSON object`, {
      path: tokenizerPath,
      value: showValue(tokenizerJson),
      fix: 'replace it with the tokenizer.json of the model',
    });
  }
  const configText = await readIfExists(configPath);
  const config =
    configText === undefined
      ? {}
      : parseJsonText(configText, configPath, { code: 'TOKENIZER_INVALID', what: 'tokenizer_config.json' });
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new MetaLoraError('TOKENIZER_INVALID', `${configPath} must hold a JSON object`, {
      path: configPath,
      value: showValue(config),
      fix: 'replace it with the tokenizer_config.json of the model, or delete it',
    });
  }
  return Tokenizer.fromJson(tokenizerJson, config as TokenizerConfig, { tokenizer: tokenizerPath, config: configPath });
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MetaLoraError(
      'IO_FAILED',
      `could not read ${path}: ${(cause as Error).message}`,
      { path, fix: 'check the file permissions' },
      { cause },
    );
  }
}

/** A special token in a config is a string or an AddedToken object `{ content: … }`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** `chat_template` is a string, or a list of `{ name, template }` of which `default` is the chat one. */
function chatTemplateSource(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const entry = value.find((t) => t?.name === 'default') ?? value[0];
    return typeof entry?.template === 'string' ? entry.template : undefined;
  }
  return undefined;
}
