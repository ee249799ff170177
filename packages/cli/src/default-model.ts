/** Where the embedded default base model lives, and how `--model` falls back to it. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetaLoraError } from '@meta-lora/artifacts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `models/meta-lora-base` at the repository root: the model the project pretrains. It ships with the repository, not
 * with the npm packages, so an installed CLI has no default and needs `--model`.
 */
export const DEFAULT_MODEL_DIR = resolve(here, '..', '..', '..', 'models', 'meta-lora-base');

/** The model directory to use: `--model`, else the embedded default when it has weights. */
export function resolveModelDir(flag: string | undefined): string | undefined {
  if (flag) return flag;
  return existsSync(resolve(DEFAULT_MODEL_DIR, 'config.json')) ? DEFAULT_MODEL_DIR : undefined;
}

/** `resolveModelDir`, or a CONFIG_INVALID error that says to pass --model. */
export function requireModelDir(flag: string | undefined): string {
  const dir = resolveModelDir(flag);
  if (!dir) {
    throw new MetaLoraError('CONFIG_INVALID', 'no --model given, and no embedded default model next to this install', {
      field: '--model',
      fix: 'pass --model DIR: a Hugging Face model directory (config.json, safetensors, tokenizer.json), such as models/meta-lora-base of a meta-lora checkout (the embedded model ships with the repository, not with the npm package)',
    });
  }
  return dir;
}
