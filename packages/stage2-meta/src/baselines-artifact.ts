/** The `baselines` and `baseline-tuning` artifacts: the selected baseline runs, and every run of the learning-rate grid. */
import { defineArtifactKind } from '@meta-lora/artifacts';
import { UsageRowSchema } from '@meta-lora/data-sampling';
import * as z from 'zod';

export const BASELINE_METHODS = ['single-task', 'multi-task-full', 'multi-task-pool'] as const;
export type BaselineMethod = (typeof BASELINE_METHODS)[number];

// The data a run had access to, counted as the `usage` artifact counts it.
const { examples, tokens } = UsageRowSchema.shape;

export const BaselineRowSchema = z.strictObject({
  method: z.enum(BASELINE_METHODS).describe('single-task, multi-task-full or multi-task-pool'),
  taskId: z.string().describe('the task of a single-task adapter; `*` for the multi-task ones'),
  adapterDir: z.string().min(1).describe('PEFT adapter directory, relative to the run directory'),
  lr: z.number().positive().describe('learning rate (the dev-selected one of the grid)'),
  steps: z.number().int().min(1).describe('optimizer steps taken (early stopping may end a run before its budget)'),
  bestStep: z.number().int().min(0).describe('the step the saved adapter was taken at (dev-selected; 0 = untrained)'),
  lossFirst: z.number().describe('training loss of the first step'),
  lossLast: z.number().describe('training loss of the last step'),
  devLossInitial: z.number().optional().describe('dev loss before training (absent without dev examples)'),
  devLossBest: z.number().optional().describe('dev loss at bestStep (absent without dev examples)'),
  examples,
  tokens,
  examplesTrained: z.number().int().min(0).describe('distinct examples in the minibatches up to bestStep'),
  tokensTrained: z.number().int().min(0).describe('prompt + target tokens of those examples'),
});
export type BaselineRow = z.infer<typeof BaselineRowSchema>;

/** The `baselines` artifact (version 2: learning rate, dev selection and the data trained on). */
export const BaselinesArtifact = defineArtifactKind({
  kind: 'baselines',
  schemaVersion: 2,
  row: BaselineRowSchema,
});

export const BaselineTuningRowSchema = z.strictObject({
  method: z.enum(BASELINE_METHODS).describe('single-task, multi-task-full or multi-task-pool'),
  taskId: z.string().describe('the task of a single-task run; `*` for the multi-task ones'),
  lr: z.number().positive().describe('learning rate of this run of the grid'),
  steps: z.number().int().min(1).describe('optimizer steps taken'),
  bestStep: z.number().int().min(0).describe('its best dev step'),
  devLossBest: z.number().optional().describe('its lowest dev loss (absent without dev examples)'),
  selected: z.boolean().describe('whether this run is the one saved (lowest dev loss of its method and task)'),
});
export type BaselineTuningRow = z.infer<typeof BaselineTuningRowSchema>;

/** The `baseline-tuning` artifact: every run of the learning-rate grid, and which one was kept. */
export const BaselineTuningArtifact = defineArtifactKind({
  kind: 'baseline-tuning',
  schemaVersion: 1,
  row: BaselineTuningRowSchema,
});
