/**
 * An experiment is data: a directory `pipelines/experiments/<name>/` with one JSON file per pipeline stage
 * (`data.json`, and the later stages' files), validated together by one composed zod schema before any work starts.
 *
 * Why one file per stage: turbo hashes whole files, so a stage's cache key can then cover exactly its own settings —
 * changing `eval.json` reruns evaluation and the report, not training.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EnvVar, MetaLoraError, readEnv, readJsonFile, showValue } from '@meta-lora/artifacts';
import { DataConfigSchema } from '@meta-lora/data-sampling';
import { METHODS } from '@meta-lora/eval';
import { BASELINE_METHODS, MetaConfigSchema } from '@meta-lora/stage2-meta';
import { z } from 'zod';

const here = dirname(fileURLToPath(import.meta.url));
/** `pipelines/` */
export const PIPELINES_DIR = resolve(here, '..');
export const EXPERIMENTS_DIR = join(PIPELINES_DIR, 'experiments');
export const RUNS_DIR = join(PIPELINES_DIR, 'runs');
export const DEFAULT_EXPERIMENT = 'multitask';
/** The env var that picks the experiment (declared in turbo.json, so it is part of every stage's cache key). */
export const EXPERIMENT_ENV = 'META_LORA_EXPERIMENT' satisfies EnvVar;

/** `experiment.json`: what every stage shares. */
export const SharedConfigSchema = z.strictObject({
  description: z.string().default('').describe('what this experiment is for'),
  model: z
    .string()
    .min(1)
    .default('models/meta-lora-base')
    .describe('base model: a Hugging Face directory, relative to the repository root or absolute'),
  hyperParameters: z
    .string()
    .min(1)
    .optional()
    .describe(
      "a study's published choices (`docs/results/<experiment>/hyper-parameters.json`, relative to the repository root): `pnpm pipeline` trains only the chosen grid point of each method; absent, or without the run's k, the grids are searched. `pnpm study` always searches at its first seed",
    ),
  study: z
    .strictObject({
      ks: z
        .array(z.number().int().min(2))
        .min(1)
        .default([4, 8, 16, 32, 64, 128])
        .describe('few-shot budgets k of the sweep'),
      seeds: z.array(z.number().int().min(0)).min(1).default([0, 1, 2]).describe('seeds of the study'),
      tuneAtEverySeed: z
        .boolean()
        .default(false)
        .describe(
          'false: hyper-parameters are chosen on dev at the first seed (per k for MeTA-LoRA and the k-shot baseline) and reused at the others; true: every seed searches its grids',
        ),
      against: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]*$/, 'an experiment name: lowercase letters, digits and dashes')
        .optional()
        .describe(
          "another experiment whose published study cells (`docs/results/<against>/cells/`, at this study's k and seeds and its k-independent references) this study is compared with: a follow-up that changes one setting. The report then gives each method here minus the same method there, with intervals and per-seed differences",
        ),
    })
    .prefault({})
    .describe('the full study (`pnpm study`): the pipeline at every k and seed, one merged report'),
});

/** `train.json`: stage 2's config (with stage 1's as its `adapt` section) and the baselines to train. */
export const TrainStageSchema = MetaConfigSchema.extend({
  baselineMethods: z
    .array(z.enum(BASELINE_METHODS))
    .default([...BASELINE_METHODS])
    .describe('baselines trained by the same engine: single-task, multi-task-full, multi-task-pool (the k-shot pool)'),
});

/** `eval.json`: which methods to score, and how much of each test split. */
export const EvalStageSchema = z.strictObject({
  methods: z
    .array(z.enum(METHODS))
    .min(1)
    .default([...METHODS])
    .describe('methods (conditions) to evaluate'),
  maxTestExamplesPerTask: z
    .number()
    .int()
    .min(1)
    .default(100)
    .describe('score at most this many test examples per task (the first by example id)'),
  batchSize: z.number().int().min(1).default(8).describe('sequences per forward pass when scoring'),
  workers: z
    .union([z.number().int().min(0), z.literal('auto')])
    .default('auto')
    .describe(
      'worker threads scoring method × task cells: auto (one per core, none on one core) or a number (0: in-thread); the results do not depend on it',
    ),
});

/** The composed schema: one section per file. */
export const ExperimentSchema = z.strictObject({
  experiment: SharedConfigSchema.describe('experiment.json: shared settings'),
  data: DataConfigSchema.describe('data.json: suites, splits, k, episodes (stage data)'),
  train: TrainStageSchema.describe('train.json: LoRA, stage 1, stage 2 and baselines (stages train and adapt)'),
  eval: EvalStageSchema.describe('eval.json: evaluation methods and budget (stages eval and report)'),
});
export type StageFile = keyof typeof ExperimentSchema.shape;
export type Experiment = z.output<typeof ExperimentSchema>;

export interface LoadedExperiment {
  readonly name: string;
  readonly dir: string;
  readonly config: Experiment;
  /** The run directory of this experiment: `pipelines/runs/<name>`. */
  readonly runDir: string;
}

/** The experiment named by META_LORA_EXPERIMENT (default `multitask`). */
export function experimentName(env: NodeJS.ProcessEnv = process.env): string {
  return readEnv(EXPERIMENT_ENV, env)?.trim() || DEFAULT_EXPERIMENT;
}

/**
 * Reads and validates every stage file of an experiment. The first problem is a CONFIG_INVALID error naming the file
 * and the field.
 *
 * @example
 * const { config, runDir } = loadExperiment('smoke');
 */
export function loadExperiment(name: string, root = EXPERIMENTS_DIR): LoadedExperiment {
  const dir = join(root, name);
  if (!existsSync(dir)) {
    const known = existsSync(root) ? readdirSync(root).sort().join(', ') : '(none)';
    throw new MetaLoraError('CONFIG_INVALID', `no experiment named ${JSON.stringify(name)}`, {
      path: dir,
      field: EXPERIMENT_ENV,
      value: name,
      fix: `set ${EXPERIMENT_ENV} to one of: ${known}`,
    });
  }
  const raw: Record<string, unknown> = {};
  const given: Partial<Record<StageFile, unknown>> = {};
  for (const stage of Object.keys(ExperimentSchema.shape) as StageFile[]) {
    const path = join(dir, `${stage}.json`);
    let json: unknown = {};
    if (existsSync(path)) {
      json = readJsonFile(path, { what: `the ${stage} stage's config` });
      if (json && typeof json === 'object' && !Array.isArray(json)) delete (json as Record<string, unknown>).$schema;
    }
    const parsed = ExperimentSchema.shape[stage].safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      const value = issue.path.reduce<unknown>(
        (v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey],
        json,
      );
      throw new MetaLoraError(
        'CONFIG_INVALID',
        `\`${field || '(root)'}\`: ${issue.message}${value === undefined ? '' : ` (got ${showValue(value)})`}`,
        {
          path,
          field,
          value,
          fix: `fix ${stage}.json; the editor schema is pipelines/schema/${stage}.schema.json`,
        },
      );
    }
    raw[stage] = parsed.data;
    given[stage] = json;
  }
  const config = fitEvalMethods(raw as Experiment, given.eval, join(dir, 'eval.json'));
  return { name, dir, config, runDir: join(RUNS_DIR, name) };
}

/** The baseline run behind each baseline method of evaluation. */
const TRAINED_BY: Partial<Record<(typeof METHODS)[number], (typeof BASELINE_METHODS)[number]>> = {
  'single-task-lora': 'single-task',
  'multi-task-lora-full': 'multi-task-full',
  'multi-task-lora-k-shot': 'multi-task-pool',
};

/**
 * Every combination the schemas accept runs: evaluation's default methods drop the baselines `train.json` does not
 * train; methods listed explicitly in `eval.json` whose baseline is not trained are refused here, before any work.
 */
function fitEvalMethods(config: Experiment, evalJson: unknown, path: string): Experiment {
  const trained = new Set(config.train.baselineMethods);
  const untrained = config.eval.methods.filter((m) => TRAINED_BY[m] !== undefined && !trained.has(TRAINED_BY[m]!));
  if (untrained.length === 0) return config;
  const explicit = typeof evalJson === 'object' && evalJson !== null && 'methods' in evalJson;
  if (explicit) {
    const runs = untrained.map((m) => TRAINED_BY[m]!);
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `\`methods\` lists ${untrained.join(', ')}, but train.json does not train ${runs.join(', ')} (baselineMethods ${showValue(config.train.baselineMethods)})`,
      {
        path,
        field: 'methods',
        value: untrained,
        fix: `add ${runs.map((r) => JSON.stringify(r)).join(', ')} to baselineMethods in train.json, or drop ${untrained.join(', ')} from methods in eval.json`,
      },
    );
  }
  return { ...config, eval: { ...config.eval, methods: config.eval.methods.filter((m) => !untrained.includes(m)) } };
}
