/**
 * The pretraining config: the model's HF fields (camelCase of `config.json`'s names) and the training loop's settings.
 * Validated once at the edge (the CLI), written into the run directory, and passed inward typed. The defaults are the
 * config of `models/meta-lora-base`, sized by measurement (see `MODEL_CARD.md` in the package and the model card).
 */
import { configHash, MetaLoraError } from '@meta-lora/artifacts';
import { z } from 'zod';

export const PretrainModelSchema = z.strictObject({
  hiddenSize: z.number().int().positive().default(128).describe('hidden_size: width of the residual stream'),
  intermediateSize: z.number().int().positive().default(384).describe('intermediate_size: SwiGLU MLP width'),
  numHiddenLayers: z.number().int().positive().default(4).describe('num_hidden_layers'),
  numAttentionHeads: z.number().int().positive().default(4).describe('num_attention_heads'),
  numKeyValueHeads: z.number().int().positive().default(2).describe('num_key_value_heads (GQA when below the heads)'),
  vocabSize: z.number().int().positive().default(4096).describe('vocab_size: must equal the tokenizer vocabulary'),
  maxPositionEmbeddings: z.number().int().positive().default(1024).describe('max_position_embeddings'),
  ropeTheta: z.number().positive().default(10000).describe('rope_theta'),
  rmsNormEps: z.number().positive().default(1e-5).describe('rms_norm_eps'),
  tieWordEmbeddings: z.boolean().default(true).describe('tie_word_embeddings: lm_head shares embed_tokens'),
  initializerRange: z.number().positive().default(0.02).describe('initializer_range: std of the initial weights'),
});

export const PretrainTrainSchema = z.strictObject({
  seed: z.number().int().min(0).default(0).describe('Seeds the initial weights and the window sampler'),
  maxSteps: z
    .number()
    .int()
    .positive()
    .default(2600)
    .describe('Optimizer steps of the whole run (the schedule spans them)'),
  batchSize: z.number().int().positive().default(16).describe('Windows per step'),
  seqLen: z.number().int().positive().default(128).describe('Predicted tokens per window (a window holds seqLen + 1)'),
  lr: z.number().positive().default(3e-3).describe('Peak learning rate'),
  minLr: z.number().min(0).default(3e-4).describe('Learning rate at the end of the cosine decay'),
  warmupSteps: z.number().int().min(0).default(150).describe('Linear warmup from 0 to lr'),
  weightDecay: z.number().min(0).default(0.1).describe('AdamW decoupled weight decay'),
  beta1: z.number().min(0).lt(1).default(0.9).describe('AdamW β₁'),
  beta2: z.number().min(0).lt(1).default(0.95).describe('AdamW β₂'),
  clipGradNorm: z.number().positive().default(1).describe('Global gradient-norm clip'),
  evalEvery: z.number().int().positive().default(250).describe('Steps between held-out evaluations'),
  evalWindows: z.number().int().positive().default(64).describe('Fixed held-out windows of seqLen + 1 tokens'),
  checkpointEvery: z.number().int().positive().default(100).describe('Steps between resumable checkpoints'),
  logEvery: z
    .number()
    .int()
    .positive()
    .default(10)
    .describe('Steps between progress lines (a line is also printed at least every 10 s)'),
  restarts: z
    .array(
      z.strictObject({
        step: z.number().int().positive().describe('First step of the new schedule segment'),
        lr: z.number().positive().describe('Peak learning rate of the segment'),
        warmupSteps: z.number().int().min(0).describe('Linear warmup from minLr to lr'),
      }),
    )
    .default([])
    .describe('Warm restarts added by `pretrain --resume --extend-to N` (see lr-schedule.ts); empty for a plain run'),
});

export const PretrainDataSchema = z.strictObject({
  corpus: z
    .enum(['v1', 'v2'])
    .default('v1')
    .describe('The corpus (`CORPORA` in corpus.ts): v1 = npm sources (meta-lora-base), v2 = npm and Debian sources'),
});

export const PretrainConfigSchema = z.strictObject({
  model: PretrainModelSchema.prefault({}),
  train: PretrainTrainSchema.prefault({}),
  data: PretrainDataSchema.prefault({}),
});

export type PretrainModelConfig = z.output<typeof PretrainModelSchema>;
export type PretrainTrainConfig = z.output<typeof PretrainTrainSchema>;
export type PretrainDataConfig = z.output<typeof PretrainDataSchema>;
export type PretrainConfig = z.output<typeof PretrainConfigSchema>;
export type PretrainConfigInput = z.input<typeof PretrainConfigSchema>;

/**
 * Validates a pretraining config; `source` names where it came from in the error.
 *
 * @example
 * const config = parsePretrainConfig({ train: { maxSteps: 100 } });
 * config.model.hiddenSize; // 128
 */
export function parsePretrainConfig(input: unknown, source = 'pretrain config'): PretrainConfig {
  const parsed = PretrainConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new MetaLoraError('CONFIG_INVALID', `${source}: \`${field}\`: ${issue.message}`, {
      path: source,
      field,
      fix: 'see PretrainConfigSchema in tooling/base-model/src/pretrain-config.ts for the accepted fields',
    });
  }
  const { model } = parsed.data;
  if (model.hiddenSize % model.numAttentionHeads !== 0 || model.numAttentionHeads % model.numKeyValueHeads !== 0) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `${source}: hiddenSize ${model.hiddenSize}, numAttentionHeads ${model.numAttentionHeads} and numKeyValueHeads ${model.numKeyValueHeads} do not divide`,
      { path: source, field: 'model', fix: 'heads must divide hiddenSize, and key/value heads must divide heads' },
    );
  }
  if (parsed.data.train.seqLen + 1 > model.maxPositionEmbeddings) {
    throw new MetaLoraError('CONFIG_INVALID', `${source}: seqLen + 1 exceeds maxPositionEmbeddings`, {
      path: source,
      field: 'train.seqLen',
      value: parsed.data.train.seqLen,
      fix: 'lower train.seqLen or raise model.maxPositionEmbeddings',
    });
  }
  const { restarts, maxSteps } = parsed.data.train;
  for (const [i, r] of restarts.entries()) {
    const previous = i === 0 ? 0 : (restarts[i - 1] as { step: number }).step;
    if (r.step <= previous || r.step >= maxSteps) {
      throw new MetaLoraError('CONFIG_INVALID', `${source}: train.restarts[${i}].step ${r.step} is out of order`, {
        path: source,
        field: `train.restarts.${i}.step`,
        value: r.step,
        fix: `restart steps must increase and lie below train.maxSteps (${maxSteps})`,
      });
    }
  }
  return parsed.data;
}

/**
 * The hash a run's checkpoints carry. A config without restarts, on the v1 corpus, hashes as it did before restarts
 * and the `data` section existed, so runs started then still resume.
 *
 * @example
 * pretrainConfigHash(parsePretrainConfig({})); // '…'
 */
export function pretrainConfigHash(config: PretrainConfig): string {
  const { data, ...rest } = config;
  const withData = data.corpus === 'v1' ? rest : config;
  if (config.train.restarts.length > 0) return configHash(withData);
  const { restarts: _, ...train } = config.train;
  return configHash({ ...withData, train });
}

/**
 * The config a run had before its last extension (`--extend-to`), or `undefined` when it was never extended: a
 * checkpoint written under it may be resumed under the extended config.
 *
 * @example
 * extendedFrom(extendRun(config, 7600, { lr: 2e-3, warmupSteps: 100 })); // config
 */
export function extendedFrom(config: PretrainConfig): PretrainConfig | undefined {
  const last = config.train.restarts.at(-1);
  if (last === undefined) return undefined;
  return { ...config, train: { ...config.train, maxSteps: last.step, restarts: config.train.restarts.slice(0, -1) } };
}

/**
 * The config of a run extended to `maxSteps` with a warm restart at its old end.
 *
 * @example
 * extendRun(parsePretrainConfig({}), 7600, { lr: 2e-3, warmupSteps: 100 }).train.maxSteps; // 7600
 */
export function extendRun(
  config: PretrainConfig,
  maxSteps: number,
  restart: { readonly lr: number; readonly warmupSteps: number },
): PretrainConfig {
  if (maxSteps <= config.train.maxSteps) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `--extend-to ${maxSteps} does not extend the run, which already plans ${config.train.maxSteps} steps`,
      {
        field: '--extend-to',
        value: maxSteps,
        fix: `pass a step count above ${config.train.maxSteps}, or drop --extend-to`,
      },
    );
  }
  const restarts = [...config.train.restarts, { step: config.train.maxSteps, ...restart }];
  return parsePretrainConfig({ ...config, train: { ...config.train, maxSteps, restarts } }, '--extend-to');
}

/**
 * The HF `config.json` fields of the model, with the tokenizer's special token ids.
 *
 * @example
 * const hf = hfModelConfig(config.model, { bosTokenId: 0, eosTokenId: 0, padTokenId: 1 });
 * hf.model_type; // 'llama'
 */
export function hfModelConfig(
  model: PretrainModelConfig,
  tokens: { readonly bosTokenId: number; readonly eosTokenId: number; readonly padTokenId: number },
): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: model.hiddenSize,
    intermediate_size: model.intermediateSize,
    num_hidden_layers: model.numHiddenLayers,
    num_attention_heads: model.numAttentionHeads,
    num_key_value_heads: model.numKeyValueHeads,
    head_dim: model.hiddenSize / model.numAttentionHeads,
    vocab_size: model.vocabSize,
    max_position_embeddings: model.maxPositionEmbeddings,
    rope_theta: model.ropeTheta,
    rms_norm_eps: model.rmsNormEps,
    tie_word_embeddings: model.tieWordEmbeddings,
    initializer_range: model.initializerRange,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: 0,
    bos_token_id: tokens.bosTokenId,
    eos_token_id: tokens.eosTokenId,
    pad_token_id: tokens.padTokenId,
    use_cache: true,
  };
}
