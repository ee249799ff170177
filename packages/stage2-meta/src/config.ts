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
import { MetaLoraError, parseConfig } from '@meta-lora/artifacts';
import { LoraConfigSchema } from '@meta-lora/lora-core';
import { AdaptConfigSchema } from '@meta-lora/stage1-adapt';
import * as z from 'zod';

export const ALGORITHMS = ['fomaml', 'reptile', 'maml'] as const;

export const BaselineConfigSchema = z.strictObject({
  steps: z
    .number()
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe('fixed step budget of each baseline run; null: `epochs` passes over its data, at least `minSteps`'),
  epochs: z
    .number()
    .positive()
    .default(2)
    .describe('step budget in passes over the run’s training data (when `steps` is null)'),
  minSteps: z
    .number()
    .int()
    .min(1)
    .default(100)
    .describe('the budget is at least this many steps (small pools converge in more than 2 epochs)'),
  batchSize: z
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('examples per step (tasks mixed for the multi-task baselines)'),
  lr: z
    .union([z.number().positive(), z.array(z.number().positive()).min(1)])
    .default([3e-4, 1e-3, 3e-3])
    .describe(
      'learning rate, or a grid of them: each is trained and the lowest dev loss wins (needs devQuerySize > 0)',
    ),
  lrFor: z
    .record(z.string(), z.number().positive())
    .default({})
    .describe(
      'a fixed learning rate per run, keyed `<method>:<taskId>` (e.g. `multi-task-full:*`): chosen on dev elsewhere (the study reuses the first seed’s); other runs use `lr`',
    ),
  optimizer: z.enum(['adam', 'adamw', 'sgd']).default('adam').describe('optimizer of the baselines'),
  clipGradNorm: z.number().positive().nullable().default(1).describe('global gradient-norm clip; null turns it off'),
  maxSeqLen: z.number().int().min(2).default(256).describe('longest training sequence in tokens'),
  evalEvery: z
    .number()
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe('steps between dev evaluations; null: 20 evaluations over the budget'),
  patience: z
    .number()
    .int()
    .min(0)
    .default(5)
    .describe('stop a run after this many dev evaluations without a new best; 0 runs the whole budget'),
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
  metaGrid: z
    .array(
      z.strictObject({
        innerLr: z.number().positive().optional().describe('stage-1 learning rate of this candidate'),
        innerSteps: z.number().int().min(0).optional().describe('stage-1 steps of this candidate'),
        metaLr: z.number().positive().optional().describe('meta learning rate of this candidate'),
      }),
    )
    .default([])
    .describe(
      'MeTA-LoRA candidates (overrides of adapt.innerLr, adapt.innerSteps, metaLr); each is meta-trained and the lowest dev loss after adaptation wins; [] trains the config as it is',
    ),
});

export type MetaConfig = z.output<typeof MetaConfigSchema>;
export type MetaConfigInput = z.input<typeof MetaConfigSchema>;
export type BaselineConfig = z.output<typeof BaselineConfigSchema>;
export type MetaCandidate = MetaConfig['metaGrid'][number];

/**
 * The baselines' learning rates as a list (a single `lr` is a grid of one).
 *
 * @example
 * baselineLrs({ lr: 0.001 }); // [0.001]
 */
export function baselineLrs(config: Pick<BaselineConfig, 'lr'>): number[] {
  return typeof config.lr === 'number' ? [config.lr] : [...config.lr];
}

/**
 * The step budget of a baseline run on `examples` training examples.
 *
 * @example
 * baselineSteps({ steps: null, epochs: 2, minSteps: 100, batchSize: 8 }, 2000); // 500
 */
export function baselineSteps(
  config: Pick<BaselineConfig, 'steps' | 'epochs' | 'minSteps' | 'batchSize'>,
  examples: number,
): number {
  if (config.steps !== null) return config.steps;
  return Math.max(config.minSteps, Math.ceil((config.epochs * examples) / config.batchSize));
}

/**
 * The meta-training configs of the grid: one per candidate (the config itself when the grid is empty).
 *
 * @example
 * metaCandidates(parseMetaConfig({ metaGrid: [{ innerLr: 0.1 }, { innerLr: 0.03 }] })).length; // 2
 */
export function metaCandidates(config: MetaConfig): MetaConfig[] {
  if (config.metaGrid.length === 0) return [config];
  return config.metaGrid.map((c) => ({
    ...config,
    metaGrid: [],
    ...(c.metaLr === undefined ? {} : { metaLr: c.metaLr }),
    adapt: {
      ...config.adapt,
      ...(c.innerLr === undefined ? {} : { innerLr: c.innerLr }),
      ...(c.innerSteps === undefined ? {} : { innerSteps: c.innerSteps }),
    },
  }));
}

/**
 * Validates the stage 2 config (defaults filled in). Bad values are CONFIG_INVALID naming the field, and the file when
 * `where.path` says which one it came from; `maml` is refused with the reason.
 *
 * @example
 * const config = parseMetaConfig({ algorithm: 'reptile', metaLr: 0.1, metaOptimizer: 'sgd' });
 * parseMetaConfig(JSON.parse(text), { path: 'train.json' }); // errors name train.json
 */
export function parseMetaConfig(input: unknown, where: { readonly path?: string } = {}): MetaConfig {
  const config = parseConfig(MetaConfigSchema, input, 'meta', where.path === undefined ? {} : { path: where.path });
  assertSupportedAlgorithm(config, where.path);
  return config;
}

/**
 * Refuses second-order `maml` (the schema lists it so the error can say why). `metaTrain` calls this too, for configs
 * validated by a schema composed from `MetaConfigSchema`.
 *
 * @example
 * assertSupportedAlgorithm({ algorithm: 'maml' }); // throws CONFIG_INVALID
 */
export function assertSupportedAlgorithm(config: Pick<MetaConfig, 'algorithm'>, path?: string): void {
  if (config.algorithm === 'maml') {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      'config `meta.algorithm`: second-order `maml` is not supported: TF.js cannot differentiate through the inner ' +
        'loop (optimizer steps are Variable.assign, and lora-core’s linear, cross-entropy and RoPE have hand-written ' +
        'first-order gradients)',
      {
        ...(path === undefined ? {} : { path }),
        field: 'meta.algorithm',
        value: 'maml',
        fix: 'use `fomaml` (first-order MAML, the default) or `reptile`',
      },
    );
  }
}
