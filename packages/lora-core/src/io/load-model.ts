/**
 * Loads a Hugging Face model directory: `config.json`, the safetensors weights (single or sharded) and, where present,
 * `tokenizer.json` / `tokenizer_config.json` and `generation_config.json`. The same loader serves the embedded default model and any user checkpoint.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type GenerationConfig, readGenerationConfig } from '../generate/generation-config.ts';
import { LlamaModel } from '../model/llama-model.ts';
import { readModelConfig } from '../model/model-config.ts';
import { backendInfo, initBackend } from '../runtime/backend.ts';
import { loadTokenizer, type Tokenizer } from '../text/tokenizer.ts';
import { openHfWeights } from './hf-weights.ts';

export interface LoadedModel {
  readonly dir: string;
  readonly model: LlamaModel;
  /** Null when the directory has no tokenizer.json. */
  readonly tokenizer: Tokenizer | null;
  /** The decoding defaults of `generation_config.json`; null when the directory has none. */
  readonly generationConfig: GenerationConfig | null;
  /**
   * Identifies the base model in adapter metadata and artifact lineage: sha256 over config.json and the weight files
   * (their full bytes up to 256 MiB in all; above that, their sizes and safetensors headers).
   */
  readonly fingerprint: string;
}

/**
 * @example
 * const { model, tokenizer } = await loadModel('models/meta-lora-base');
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  await ensureBackend();
  const config = readModelConfig(dir);
  const generationConfig = readGenerationConfig(dir); // validated before the weights, so a bad file fails fast
  const weights = openHfWeights(dir);
  const model = LlamaModel.fromTensors(config, weights.tensors, dir);
  const tokenizer = await loadTokenizer(dir);
  return { dir, model, tokenizer, generationConfig, fingerprint: modelFingerprint(dir, weights.files) };
}

/**
 * `LoadedModel.fingerprint` of the model directory `dir` without loading the model: sha256 over config.json and the
 * weight files (their full bytes up to 256 MiB in all; above that, their sizes and safetensors headers).
 *
 * @example
 * modelFingerprint('models/meta-lora-base') === (await loadModel('models/meta-lora-base')).fingerprint; // true
 */
export function modelFingerprint(dir: string, files: readonly string[] = openHfWeights(dir).files): string {
  const hash = createHash('sha256').update(readFileSync(join(dir, 'config.json')));
  const sizes = files.map((f) => statSync(f).size);
  const whole = sizes.reduce((a, b) => a + b, 0) <= 256 * 1024 * 1024;
  files.forEach((file, i) => {
    hash.update(`${basename(file)}:${sizes[i]}:`);
    hash.update(whole ? readFileSync(file) : safetensorsHeader(file));
  });
  return hash.digest('hex');
}

/** Files of a model directory that change what the model computes, beside `modelFingerprint`'s config and weights. */
export const MODEL_TEXT_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'generation_config.json',
] as const;

/**
 * The sha256 of each of `MODEL_TEXT_FILES` in `dir`, in that order; for a file that cannot be read, what kept it
 * from being read (`unreadable: ENOENT` for an absent one). With `modelFingerprint`, what a model computes.
 *
 * @example
 * modelTextFileHashes('models/meta-lora-base'); // ['3f…', '9a…', 'unreadable: ENOENT', '51…']
 */
export function modelTextFileHashes(dir: string): string[] {
  return MODEL_TEXT_FILES.map((f) => {
    try {
      return createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex');
    } catch (error) {
      return `unreadable: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
    }
  });
}

/**
 * The model of a directory and nothing else (`config.json` and the weights; no tokenizer, generation config or
 * fingerprint): what a worker thread needs once its main thread has loaded and checked the whole directory with
 * `loadModel`. The same weights as `loadModel`'s, without the cost of the tokenizer and of hashing the weights.
 *
 * @example
 * const model = await loadModelWeights('models/meta-lora-base');
 */
export async function loadModelWeights(dir: string): Promise<LlamaModel> {
  await ensureBackend();
  return LlamaModel.fromTensors(readModelConfig(dir), openHfWeights(dir).tensors, dir);
}

/** A TF.js backend must be up before the first tensor; pick the default one unless the caller already chose. */
async function ensureBackend(): Promise<void> {
  if (!backendInfo()) await initBackend();
}

function safetensorsHeader(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const header = Buffer.alloc(Math.min(Number(len.readBigUInt64LE(0)), 100_000_000));
    readSync(fd, header, 0, header.length, 8);
    return header;
  } finally {
    closeSync(fd);
  }
}
