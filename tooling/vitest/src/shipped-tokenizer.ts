/**
 * The tokenizer meta-lora ships with its base model (`models/meta-lora-base`, written by `@meta-lora/base-model`):
 * its files, for tiny test models that must read text the way the real one does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shipped base model's directory. */
export const SHIPPED_MODEL_DIR = join(import.meta.dirname, '..', '..', '..', 'models', 'meta-lora-base');

/** A model directory's share of a tokenizer: its files, and the config.json fields a model needs to match them. */
export interface TokenizerFiles {
  readonly files: Readonly<Record<string, string>>;
  readonly modelConfig: { readonly vocab_size: number; readonly bos_token_id: number; readonly eos_token_id: number };
}

/**
 * The shipped tokenizer.json and tokenizer_config.json, and the shipped model's vocabulary size, BOS and EOS ids.
 *
 * @example
 * const { files, modelConfig } = shippedTokenizerFiles(); // modelConfig.vocab_size: 8192
 */
export function shippedTokenizerFiles(): TokenizerFiles {
  const read = (name: string) => readFileSync(join(SHIPPED_MODEL_DIR, name), 'utf8');
  const { vocab_size, bos_token_id, eos_token_id } = JSON.parse(read('config.json')) as TokenizerFiles['modelConfig'];
  return {
    files: { 'tokenizer.json': read('tokenizer.json'), 'tokenizer_config.json': read('tokenizer_config.json') },
    modelConfig: { vocab_size, bos_token_id, eos_token_id },
  };
}
