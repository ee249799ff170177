import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, readModelConfig } from './model-config.ts';
import { TINY_MODEL_CONFIG } from './tiny-model.ts';

const parse = (overrides: Record<string, unknown>) =>
  parseModelConfig({ ...TINY_MODEL_CONFIG, ...overrides }, 'x/config.json');

describe('parseModelConfig', () => {
  it('refuses an unknown model_type, naming it and the supported ones', () => {
    expect(() => parse({ model_type: 'gpt2' })).toThrow(/model_type = "gpt2".*llama, mistral, qwen2/);
  });

  it('refuses rope_scaling types it does not implement', () => {
    expect(() => parse({ rope_scaling: { rope_type: 'yarn', factor: 4 } })).toThrow(/rope_scaling.rope_type = "yarn"/);
  });

  it('accepts linear and llama3 rope scaling', () => {
    expect(parse({ rope_scaling: { type: 'linear', factor: 2 } }).ropeScaling).toEqual({ type: 'linear', factor: 2 });
    const llama3 = {
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    };
    expect(parse({ rope_scaling: llama3 }).ropeScaling.type).toBe('llama3');
  });

  it('refuses activations other than SiLU', () => {
    expect(() => parse({ hidden_act: 'gelu' })).toThrow(/hidden_act = "gelu"/);
  });

  it('refuses Qwen2 with sliding-window attention switched on', () => {
    expect(() => parse({ model_type: 'qwen2', use_sliding_window: true })).toThrow(/use_sliding_window/);
  });

  it('refuses head counts that do not divide', () => {
    expect(() => parse({ num_attention_heads: 4, num_key_value_heads: 3 })).toThrow(/not a multiple/);
  });

  it('gives Qwen2 q/k/v biases and no o_proj bias, and Llama biases only with attention_bias', () => {
    expect(parse({ model_type: 'qwen2' }).attentionBias).toEqual({ qkv: true, o: false });
    expect(parse({}).attentionBias).toEqual({ qkv: false, o: false });
    expect(parse({ attention_bias: true }).attentionBias).toEqual({ qkv: true, o: true });
  });

  it('limits Mistral sequences to the sliding window', () => {
    expect(parse({ model_type: 'mistral', sliding_window: 32 }).slidingWindow).toBe(32);
  });

  it('names the field of a malformed config and the file', () => {
    expect(() => parse({ hidden_size: 'wide' })).toThrow(/x\/config\.json.*`hidden_size`/);
  });
});

describe('readModelConfig', () => {
  it('names the file and the line of a JSON syntax error in config.json', () => {
    const dir = join(tempDir('model-config'), 'model');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'config.json'),
      '{\n  "model_type": "llama",\n  "hidden_size": 64\n  "vocab_size": 32\n}\n',
    );
    expect(() => readModelConfig(dir)).toThrow(/config\.json:line 4: config\.json is not valid JSON \(column 3\)/);
  });
});
