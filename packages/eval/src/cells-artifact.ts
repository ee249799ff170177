/**
 * The `eval-cells` artifact: facts about each method × task × seed × k cell that `eval-results` (schema version 1,
 * kept unchanged) does not carry — the majority-class rate of the scored test examples, and the data the method
 * actually trained on beside the data it had access to (`examplesUsed` / `tokensUsed` in `eval-results`). One row per
 * `eval-results` row, same keys, same order; written next to `eval-results.arrow`.
 *
 * Trained counts come from the condition (`examplesTrained` / `tokensTrained`). Their scope is `task` when they are
 * this task's own, or `all-tasks` when the method (multi-task LoRA) reports one total over every task: then the same
 * total is on each of the condition's rows.
 */
import { defineArtifactKind } from '@meta-lora/artifacts';
import * as z from 'zod';
import { CELL_KEY_COLUMNS } from './results-artifact.ts';

/** File name of the per-cell facts, beside `eval-results.arrow`. */
export const EVAL_CELLS_FILE = 'eval-cells.arrow';

export const TRAINED_SCOPES = ['task', 'all-tasks'] as const;
export type TrainedScope = (typeof TRAINED_SCOPES)[number];

export const EvalCellRowSchema = z.strictObject({
  ...CELL_KEY_COLUMNS,
  majorityClassRate: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe('classification: share of the most frequent gold label among the scored test examples (percent)'),
  examplesTrained: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('distinct examples in the minibatches up to the selected checkpoint; absent when unknown'),
  tokensTrained: z.number().int().min(0).optional().describe('tokens of those examples; absent when unknown'),
  trainedScope: z
    .enum(TRAINED_SCOPES)
    .optional()
    .describe('task: the counts are this task’s; all-tasks: one total over the condition’s tasks'),
});

export type EvalCellRow = z.infer<typeof EvalCellRowSchema>;

export const EvalCellsArtifact = defineArtifactKind({
  kind: 'eval-cells',
  schemaVersion: 1,
  row: EvalCellRowSchema,
});
