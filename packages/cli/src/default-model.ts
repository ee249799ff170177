/** Where the embedded default base model lives, and how `--model` falls back to it. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** `models/meta-lora-base` at the repository root: the model the project pretrains and ships. */
export const DEFAULT_MODEL_DIR = resolve(here, '..', '..', '..', 'models', 'meta-lora-base');

/** The model directory to use: `--model`, else the embedded default when it has weights. */
export function resolveModelDir(flag: string | undefined): string | undefined {
  if (flag) return flag;
  return existsSync(resolve(DEFAULT_MODEL_DIR, 'config.json')) ? DEFAULT_MODEL_DIR : undefined;
}
