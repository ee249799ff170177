/**
 * Where a base model comes from, as plain data that can cross a worker-thread boundary: a Hugging Face model directory,
 * or a tiny random model (tests, examples). Each worker loads its own copy once.
 */
import { createTinyModel, type LlamaModel, loadModel, type Tokenizer } from '@meta-lora/lora-core';

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
