/**
 * Where a base model comes from, as plain data that can cross a worker-thread boundary: a Hugging Face model directory,
 * or a tiny random model (tests, examples). Each worker loads its own copy once.
 */
import { createTinyModel, type LlamaModel, loadModel, loadModelWeights, type Tokenizer } from '@meta-lora/lora-core';

export type ModelSource =
  | { readonly dir: string }
  | { readonly tiny: { readonly seed: number; readonly overrides?: Readonly<Record<string, unknown>> } };

export interface SourcedModel {
  readonly model: LlamaModel;
  readonly tokenizer: Tokenizer | null;
  /** Names the base model in lineage: the directory fingerprint, or `tiny:<seed>:<overrides>`. */
  readonly fingerprint: string;
}

/**
 * Loads the model a source names.
 *
 * @example
 * const { model } = await loadModelSource({ tiny: { seed: 0 } });
 */
export async function loadModelSource(source: ModelSource): Promise<SourcedModel> {
  if ('dir' in source) {
    const { model, tokenizer, fingerprint } = await loadModel(source.dir);
    return { model, tokenizer, fingerprint };
  }
  const { seed, overrides = {} } = source.tiny;
  return {
    model: createTinyModel(seed, { ...overrides }),
    tokenizer: null,
    fingerprint: `tiny:${seed}:${JSON.stringify(overrides)}`,
  };
}

/**
 * The model a source names and nothing else (no tokenizer, no fingerprint): what a worker thread loads, once its main
 * thread has loaded the whole source with `loadModelSource`. The same weights.
 *
 * @example
 * const model = await loadSourceModel({ dir: 'models/meta-lora-base' });
 */
export async function loadSourceModel(source: ModelSource): Promise<LlamaModel> {
  if ('dir' in source) return loadModelWeights(source.dir);
  return (await loadModelSource(source)).model;
}
