/**
 * Tiny random models for tests and examples: a Llama (or Qwen2) of a few thousand parameters that runs in
 * milliseconds. Deterministic in the seed.
 */
import { Rng } from '@meta-lora/artifacts';
import { LlamaModel } from './llama-model.ts';
import { parseModelConfig } from './model-config.ts';
import { randomWeights } from './random-init.ts';

/** HF config fields of the default tiny model; override any of them. */
export const TINY_MODEL_CONFIG = {
  model_type: 'llama',
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 32,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
} as const;

/**
 * @example
 * const model = createTinyModel(0, { model_type: 'qwen2' });
 */
export function createTinyModel(seed = 0, overrides: Record<string, unknown> = {}): LlamaModel {
  const config = parseModelConfig({ ...TINY_MODEL_CONFIG, ...overrides }, 'tiny-model');
  return LlamaModel.fromTensors(
    config,
    randomWeights(config, Rng.fromSeed(seed), { std: 0.2, normJitter: 0.1, biasStd: 0.1 }),
    'tiny-model',
  );
}
