/**
 * Exports a pretrained model as a Hugging Face directory that `loadModel` (and `transformers`) reads: `config.json`,
 * `model.safetensors`, the tokenizer files copied from `tokenizerDir`, `generation_config.json`, and any extra files
 * (the model card). The directory is replaced atomically, so the tokenizer files are read before it is written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LlamaModel, saveModel } from '@meta-lora/lora-core';
import type { SpecialTokenIds } from './pretrain.ts';

/** Files copied from the tokenizer directory when present. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'TOKENIZER.md',
] as const;

/**
 * HF `repetition_penalty` of the exported `generation_config.json`: a model this small falls into loops of a few
 * tokens under greedy decoding (and often under sampling), and dividing the logits of ids already seen by 1.3 breaks
 * them. `meta-lora generate` and the model card's samples decode with it.
 */
export const REPETITION_PENALTY = 1.3;

/**
 * @example
 * await exportModel(model, '../../models/meta-lora-base', { tokenizerDir: '../../models/meta-lora-base', tokens });
 */
export async function exportModel(
  model: LlamaModel,
  outDir: string,
  options: {
    readonly tokenizerDir: string;
    readonly tokens: SpecialTokenIds;
    readonly dtype?: 'F32' | 'F16';
    readonly extraFiles?: Readonly<Record<string, string>>;
  },
): Promise<void> {
  const files: Record<string, string | Uint8Array> = {};
  for (const name of TOKENIZER_FILES) {
    const path = join(options.tokenizerDir, name);
    if (existsSync(path)) files[name] = readFileSync(path);
  }
  const generationConfig = {
    bos_token_id: options.tokens.bosTokenId,
    eos_token_id: options.tokens.eosTokenId,
    pad_token_id: options.tokens.padTokenId,
    do_sample: true,
    temperature: 0.8,
    top_p: 0.95,
    repetition_penalty: REPETITION_PENALTY,
    max_new_tokens: 64,
  };
  files['generation_config.json'] = `${JSON.stringify(generationConfig, null, 2)}\n`;
  Object.assign(files, options.extraFiles ?? {});
  await saveModel(model, outDir, { dtype: options.dtype ?? 'F32', extraFiles: files });
}
