/**
 * The data stage's config: which tasks, how they are split, the few-shot budget k, and the episode shape. Validated
 * once at the edge (`parseDataConfig`), then passed inward as typed values.
 */
import { MetaLoraError, showValue } from '@meta-lora/artifacts';
import * as z from 'zod';
import { MULTILINGUAL_LANGUAGES } from './languages.ts';

export const SplitConfigSchema = z.strictObject({
  testSize: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe('test examples per task (distinct inputs), when the data allows'),
  devSize: z.number().int().min(1).default(100).describe('dev examples per task, when the data allows'),
  maxFullTrain: z
    .number()
    .int()
    .min(1)
    .default(2000)
    .describe('train examples kept per built-in task: the budget of the full-data baselines'),
  maxInputChars: z
    .number()
    .int()
    .min(32)
    .default(256)
    .describe('longer source texts are truncated (reviews, emails) or dropped (sentences, glosses)'),
});

export const EpisodeConfigSchema = z.strictObject({
  iterations: z.number().int().min(1).default(100).describe('meta-iterations, one batch of tasks each'),
  tasksPerBatch: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('tasks per meta-iteration (n); default: 4, or every task when the data has fewer'),
  supportSize: z.number().int().min(1).default(8).describe('support examples per task per episode (stage 1 steps)'),
  querySize: z.number().int().min(1).default(8).describe('query examples per task per episode (stage 2 gradient)'),
});

export const DataConfigSchema = z
  .strictObject({
    suite: z
      .enum(['multitask', 'multilingual', 'user'])
      .optional()
      .describe('a built-in suite, or `user` for the files in `paths`; default: `user` with `paths`, else `multitask`'),
    paths: z
      .array(z.string().min(1))
      .default([])
      .describe('user dataset files (.jsonl, .csv, .arrow, .parquet), with suite `user`'),
    tasks: z.array(z.string().min(1)).default([]).describe('keep only these task ids; empty keeps all'),
    languages: z
      .array(z.enum(MULTILINGUAL_LANGUAGES))
      .default([])
      .describe('multilingual suite: keep only these languages; empty keeps all'),
    k: z.number().int().min(2).default(16).describe('few-shot budget: train examples per task in the pool'),
    capK: z
      .boolean()
      .default(false)
      .describe('a task with fewer than k train examples pools all of them (else: an error naming the task)'),
    seed: z.number().int().min(0).default(0).describe('seed of the pool and episode draws'),
    promptFormat: z
      .enum(['plain', 'chat'])
      .default('plain')
      .describe(
        "plain: each task's prompt template as is; chat: the prompt wrapped as a user turn of the base model's chat template (the model needs one)",
      ),
    split: SplitConfigSchema.prefault({}).describe('train/dev/test split sizes'),
    episodes: EpisodeConfigSchema.prefault({}).describe('episode shape'),
  })
  .superRefine((c, ctx) => {
    if (c.episodes.supportSize + c.episodes.querySize > c.k) {
      ctx.addIssue({
        code: 'custom',
        path: ['episodes', 'querySize'],
        input: c.episodes.querySize,
        message: `supportSize + querySize (${c.episodes.supportSize} + ${c.episodes.querySize}) must be ≤ k (${c.k}); lower them or raise k`,
      });
    }
    if (dataSuite(c) === 'user' && c.paths.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['paths'],
        input: c.paths,
        message: 'suite `user` needs at least one file in `paths`',
      });
    }
    if (dataSuite(c) !== 'user' && c.paths.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['suite'],
        input: c.suite,
        message: '`paths` are read only with suite `user`; set suite to `user` or drop `paths`',
      });
    }
  });

export type DataConfig = z.output<typeof DataConfigSchema>;

/** Default tasks per meta-iteration when the config gives none. */
export const DEFAULT_TASKS_PER_BATCH = 4;

/**
 * The suite a config reads: its `suite`, else `user` when it lists `paths`, else `multitask`.
 *
 * @example
 * dataSuite(parseDataConfig({ paths: ['mine.jsonl'] })); // 'user'
 */
export function dataSuite(config: Pick<DataConfig, 'suite' | 'paths'>): 'multitask' | 'multilingual' | 'user' {
  return config.suite ?? (config.paths.length > 0 ? 'user' : 'multitask');
}
export type DataConfigInput = z.input<typeof DataConfigSchema>;
export type SplitConfig = z.output<typeof SplitConfigSchema>;
export type EpisodeConfig = z.output<typeof EpisodeConfigSchema>;

/**
 * Validates a data config (defaults filled in). A bad field is `CONFIG_INVALID` naming the field and value.
 *
 * @example
 * const config = parseDataConfig({ suite: 'multilingual', k: 32 });
 */
export function parseDataConfig(input: unknown): DataConfig {
  const parsed = DataConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  let value: unknown = input;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  throw new MetaLoraError('CONFIG_INVALID', `data config \`${field}\`: ${issue.message} (got ${showValue(value)})`, {
    field,
    value,
    fix: `fix \`${field}\` in the data config`,
  });
}
