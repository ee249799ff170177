/**
 * Stage 2 config: the meta-training loop, its checkpoints, and the baselines trained by the same engine. One schema;
 * stage 1's settings are its `adapt` section. The paper gives no hyper-parameters; the defaults are the usual
 * first-order MAML choices, sized for a CPU:
 *
 * - `fomaml`, mean aggregation, Adam meta-optimizer at 1e-3 with the meta-gradient norm clipped to 1;
 * - LoRA with PEFT's defaults (r 8, alpha 8, q_proj/v_proj);
 * - stage 1: 3 inner SGD steps at 1e-2 (see `AdaptConfigSchema`);
 * - checkpoints every 10 iterations, dev evaluation every 10, early stopping off.
 *
 * Support/query sizes and tasks per batch are the data stage's (`episodes` in data-sampling's config): the loop runs
 * the episodes it is given.
 *
 * Second-order `maml` is refused: TF.js records gradients of `tf.grads` callbacks, but not through `Variable.assign`
 * (every optimizer step) nor through lora-core's hand-written gradients (linear, cross-entropy, RoPE), so the inner
 * loop cannot be differentiated. Use `fomaml` (the paper's default) or `reptile`.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import { LoraConfigSchema } from '@meta-lora/lora-core';
import { AdaptConfigSchema, parseConfig } from '@meta-lora/stage1-adapt';
import { z } from 'zod';

export const ALGORITHMS = ['fomaml', 'reptile', 'maml'] as const;

export const BaselineConfigSchema = z.strictObject({
  steps: z.number().int().min(1).default(200).describe('optimizer steps of each baseline adapter'),
  batchSize: z
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('examples per step (tasks mixed for the multi-task baselines)'),
  lr: z.number().positive().default(1e-3).describe('learning rate of the baselines'),
  optimizer: z.enum(['adam', 'adamw', 'sgd']).default('adam').describe('optimizer of the baselines'),
  clipGradNorm: z.number().positive().nullable().default(1).describe('global gradient-norm clip; null turns it off'),
  maxSeqLen: z.number().int().min(2).default(256).describe('longest training sequence in tokens'),
});

export const MetaConfigSchema = z.strictObject({
  seed: z.number().int().min(0).default(0).describe('seed of the shared adapter init and of every task’s generator'),
  lora: LoraConfigSchema.prefault({}).describe('the shared LoRA adapter θ (PEFT field names)'),
  adapt: AdaptConfigSchema.prefault({}).describe('stage 1: how each task adapts its copy θᵢ'),
  algorithm: z
    .enum(ALGORITHMS)
    .default('fomaml')
    .describe('fomaml: θ follows the query gradients at θᵢ; reptile: θ moves toward the θᵢ; maml: refused (see docs)'),
  aggregation: z
    .enum(['mean', 'sum', 'tokens'])
    .default('mean')
    .describe('how task updates combine: mean, sum, or weighted by query target tokens'),
  metaOptimizer: z.enum(['adam', 'adamw', 'sgd']).default('adam').describe('optimizer of the shared adapter θ'),
  metaLr: z.number().positive().default(1e-3).describe('learning rate of the meta-update (must be > 0)'),
  metaClipGradNorm: z
    .number()
    .positive()
    .nullable()
    .default(1)
    .describe('clip the aggregated meta-gradient’s global norm; null turns clipping off'),
  workers: z
    .union([z.number().int().min(0), z.literal('auto')])
    .default('auto')
    .describe(
      'worker threads for the tasks of a meta-batch and for the baselines: auto (one per core, none on one core) or a number (0: in-thread)',
    ),
  checkpointEvery: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('write a checkpoint every N iterations (and at the end)'),
  keepCheckpoints: z.number().int().min(1).default(2).describe('checkpoints kept on disk (the newest)'),
  evalEvery: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('evaluate on the dev tasks every N iterations (and at the end)'),
  devQuerySize: z
    .number()
    .int()
    .min(0)
    .default(16)
    .describe('dev examples per task for evaluation (adapted on the task’s pool); 0 turns dev evaluation off'),
  earlyStoppingPatience: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('stop after this many dev evaluations without improvement; 0 never stops early'),
  baselines: BaselineConfigSchema.prefault({}).describe('single- and multi-task LoRA baselines'),
});

export type MetaConfig = z.output<typeof MetaConfigSchema>;
export type MetaConfigInput = z.input<typeof MetaConfigSchema>;
export type BaselineConfig = z.output<typeof BaselineConfigSchema>;

/**
 * Validates the stage 2 config (defaults filled in). Bad values are CONFIG_INVALID naming the field; `maml` is refused
 * with the reason.
 *
 * @example
 * const config = parseMetaConfig({ algorithm: 'reptile', metaLr: 0.1, metaOptimizer: 'sgd' });
 */
export function parseMetaConfig(input: unknown): MetaConfig {
  const config = parseConfig(MetaConfigSchema, input, 'meta');
  assertSupportedAlgorithm(config);
  return config;
}

/**
 * Refuses second-order `maml` (the schema lists it so the error can say why). `metaTrain` calls this too, for configs
 * validated by a schema composed from `MetaConfigSchema`.
 *
 * @example
 * assertSupportedAlgorithm({ algorithm: 'maml' }); // throws CONFIG_INVALID
 */
export function assertSupportedAlgorithm(config: Pick<MetaConfig, 'algorithm'>): void {
  if (config.algorithm === 'maml') {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      'config `meta.algorithm`: second-order `maml` is not supported: TF.js cannot differentiate through the inner ' +
        'loop (optimizer steps are Variable.assign, and lora-core’s linear, cross-entropy and RoPE have hand-written ' +
        'first-order gradients)',
      { field: 'meta.algorithm', value: 'maml', fix: 'use `fomaml` (first-order MAML, the default) or `reptile`' },
    );
  }
}
