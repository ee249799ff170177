/**
 * The Hugging Face `config.json` of a Llama-family causal LM, validated. Field names are HF's own (snake_case), so a
 * real checkpoint's config needs no renaming. Supported: `llama` (incl. SmolLM), `mistral`, `qwen2`.
 *
 * A config this engine cannot run faithfully is refused with MODEL_UNSUPPORTED, never silently run wrong: unknown
 * `model_type`, an activation other than SiLU, `rope_scaling` types other than default / linear / llama3, Qwen2 sliding
 * window attention switched on, MLP biases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, parseJsonText, showValue } from '@meta-lora/artifacts';
import * as z from 'zod';

export const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2'] as const;
export type ModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

const RopeScaling = z
  .looseObject({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    factor: z.number().positive().optional(),
    low_freq_factor: z.number().optional(),
    high_freq_factor: z.number().optional(),
    original_max_position_embeddings: z.number().int().optional(),
  })
  .nullable()
  .optional();

const TokenIds = z
  .union([z.number().int(), z.array(z.number().int())])
  .nullable()
  .optional();

/** The fields meta-lora reads; other HF keys are kept (loose) and ignored. */
export const ModelConfigSchema = z.looseObject({
  model_type: z.string().describe('HF architecture family: llama, mistral or qwen2'),
  hidden_size: z.number().int().positive().describe('Model width D'),
  intermediate_size: z.number().int().positive().describe('SwiGLU hidden width F'),
  num_hidden_layers: z.number().int().positive().describe('Number of decoder layers L'),
  num_attention_heads: z.number().int().positive().describe('Query heads H'),
  num_key_value_heads: z.number().int().positive().optional().describe('Key/value heads (GQA); defaults to H'),
  head_dim: z.number().int().positive().nullable().optional().describe('Per-head width; defaults to D / H'),
  vocab_size: z.number().int().positive().describe('Vocabulary size V'),
  max_position_embeddings: z.number().int().positive().default(2048).describe('Longest sequence the model supports'),
  rms_norm_eps: z.number().positive().default(1e-6).describe('RMSNorm epsilon'),
  rope_theta: z.number().positive().default(10000).describe('RoPE base'),
  rope_scaling: RopeScaling.describe('RoPE scaling: null, linear or llama3'),
  hidden_act: z.string().default('silu').describe('MLP activation; only silu is supported'),
  attention_bias: z.boolean().optional().describe('Llama: bias on q/k/v/o projections'),
  mlp_bias: z.boolean().default(false).describe('Bias on MLP projections (unsupported when true)'),
  tie_word_embeddings: z.boolean().optional().describe('lm_head shares embed_tokens'),
  sliding_window: z.number().int().nullable().optional().describe('Mistral/Qwen2 sliding window length'),
  use_sliding_window: z.boolean().optional().describe('Qwen2: whether the sliding window is on'),
  bos_token_id: TokenIds,
  eos_token_id: TokenIds,
  pad_token_id: TokenIds,
});

/** A validated config with every derived quantity resolved. */
export interface ModelConfig {
  readonly raw: z.infer<typeof ModelConfigSchema>;
  readonly modelType: ModelType;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly maxPositions: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScalingSpec;
  /** Which attention projections carry a bias. */
  readonly attentionBias: { readonly qkv: boolean; readonly o: boolean };
  readonly tieWordEmbeddings: boolean;
  /** Longest sequence that the sliding window (if any) leaves identical to full attention. */
  readonly slidingWindow: number | null;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number | null;
}

export type RopeScalingSpec =
  | { readonly type: 'default' }
  | { readonly type: 'linear'; readonly factor: number }
  | {
      readonly type: 'llama3';
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      readonly originalMaxPositions: number;
    };

function unsupported(path: string, field: string, value: unknown, why: string, fix: string): MetaLoraError {
  return new MetaLoraError('MODEL_UNSUPPORTED', `${field} = ${showValue(value)}: ${why}`, { path, field, value, fix });
}

function firstId(ids: number | number[] | null | undefined): number | null {
  if (ids === null || ids === undefined) return null;
  return Array.isArray(ids) ? (ids[0] ?? null) : ids;
}

/**
 * Validates a parsed `config.json` object; `path` is only used in error messages.
 *
 * @example
 * const config = parseModelConfig(JSON.parse(text), 'models/x/config.json');
 */
export function parseModelConfig(json: unknown, path = 'config.json'): ModelConfig {
  const parsed = ModelConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new MetaLoraError('CONFIG_INVALID', `invalid model config field \`${field}\`: ${issue.message}`, {
      path,
      field,
      fix: 'fix config.json; meta-lora reads Hugging Face config names (hidden_size, num_attention_heads, ...)',
    });
  }
  const raw = parsed.data;
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(raw.model_type)) {
    throw unsupported(
      path,
      'model_type',
      raw.model_type,
      `meta-lora runs ${SUPPORTED_MODEL_TYPES.join(', ')} checkpoints only`,
      'use a Llama-family checkpoint (Llama, Mistral, SmolLM, Qwen2)',
    );
  }
  const modelType = raw.model_type as ModelType;
  if (raw.hidden_act !== 'silu') {
    throw unsupported(
      path,
      'hidden_act',
      raw.hidden_act,
      'only SiLU (SwiGLU) MLPs are implemented',
      'use a checkpoint with hidden_act "silu"',
    );
  }
  if (raw.mlp_bias) {
    throw unsupported(
      path,
      'mlp_bias',
      raw.mlp_bias,
      'MLP biases are not implemented',
      'use a checkpoint without mlp_bias',
    );
  }
  const numHeads = raw.num_attention_heads;
  const numKvHeads = raw.num_key_value_heads ?? numHeads;
  if (numHeads % numKvHeads !== 0) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `num_attention_heads (${numHeads}) is not a multiple of num_key_value_heads (${numKvHeads})`,
      {
        path,
        field: 'num_key_value_heads',
        value: numKvHeads,
        fix: 'num_key_value_heads must divide num_attention_heads',
      },
    );
  }
  const headDim = raw.head_dim ?? raw.hidden_size / numHeads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new MetaLoraError('CONFIG_INVALID', `head dimension ${headDim} must be an even integer`, {
      path,
      field: 'head_dim',
      value: headDim,
      fix: 'set head_dim, or make hidden_size / num_attention_heads an even integer',
    });
  }

  let slidingWindow: number | null = null;
  if (modelType === 'qwen2' && raw.use_sliding_window) {
    throw unsupported(
      path,
      'use_sliding_window',
      true,
      'Qwen2 sliding-window attention is not implemented',
      'set use_sliding_window to false',
    );
  }
  if (modelType === 'mistral' && typeof raw.sliding_window === 'number') slidingWindow = raw.sliding_window;

  // Llama's attention_bias covers q/k/v/o; Qwen2 always has q/k/v biases and no o bias; Mistral has none.
  const attentionBias =
    modelType === 'qwen2'
      ? { qkv: true, o: false }
      : modelType === 'llama'
        ? { qkv: raw.attention_bias ?? false, o: raw.attention_bias ?? false }
        : { qkv: false, o: false };

  return {
    raw,
    modelType,
    hiddenSize: raw.hidden_size,
    intermediateSize: raw.intermediate_size,
    numLayers: raw.num_hidden_layers,
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: raw.vocab_size,
    maxPositions: raw.max_position_embeddings,
    rmsNormEps: raw.rms_norm_eps,
    ropeTheta: raw.rope_theta,
    ropeScaling: parseRopeScaling(raw.rope_scaling, path),
    attentionBias,
    tieWordEmbeddings: raw.tie_word_embeddings ?? false,
    slidingWindow,
    bosTokenId: firstId(raw.bos_token_id),
    eosTokenIds:
      raw.eos_token_id === null || raw.eos_token_id === undefined
        ? []
        : Array.isArray(raw.eos_token_id)
          ? raw.eos_token_id
          : [raw.eos_token_id],
    padTokenId: firstId(raw.pad_token_id),
  };
}

function parseRopeScaling(scaling: z.infer<typeof RopeScaling>, path: string): RopeScalingSpec {
  if (scaling === null || scaling === undefined) return { type: 'default' };
  const type = scaling.rope_type ?? scaling.type ?? 'default';
  if (type === 'default') return { type: 'default' };
  const need = (value: number | undefined, field: string): number => {
    if (value === undefined) {
      throw new MetaLoraError('CONFIG_INVALID', `rope_scaling.${field} is required for rope_type "${type}"`, {
        path,
        field: `rope_scaling.${field}`,
        fix: `add rope_scaling.${field}`,
      });
    }
    return value;
  };
  if (type === 'linear') return { type: 'linear', factor: need(scaling.factor, 'factor') };
  if (type === 'llama3') {
    return {
      type: 'llama3',
      factor: need(scaling.factor, 'factor'),
      lowFreqFactor: need(scaling.low_freq_factor, 'low_freq_factor'),
      highFreqFactor: need(scaling.high_freq_factor, 'high_freq_factor'),
      originalMaxPositions: need(scaling.original_max_position_embeddings, 'original_max_position_embeddings'),
    };
  }
  throw unsupported(
    path,
    'rope_scaling.rope_type',
    type,
    'only default, linear and llama3 RoPE scaling are implemented',
    'use a checkpoint without rope_scaling, or one with rope_type linear or llama3',
  );
}

/**
 * Reads and validates `DIR/config.json`.
 *
 * @example
 * const config = readModelConfig('../shared/models/stories260K');
 */
export function readModelConfig(dir: string): ModelConfig {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new MetaLoraError('CHECKPOINT_INVALID', `no config.json in model directory ${dir}`, {
      path,
      fix: 'point --model at a Hugging Face model directory (config.json + model.safetensors)',
    });
  }
  return parseModelConfig(parseJsonText(text, path, { what: 'config.json' }), path);
}
