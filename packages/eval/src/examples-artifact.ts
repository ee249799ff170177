/**
 * The `eval-examples` artifact: one row per scored test example of every method × task × seed × k cell, in test order
 * (by example id). It holds what a resample of the test set needs to recompute a task's score — the 0/100 hit of
 * accuracy or exact match, the chrF statistics of decoded tasks — so the report can put paired bootstrap intervals on
 * differences between methods. Written next to `eval-results.arrow`; `eval-results` itself is unchanged.
 */
import { defineArtifactKind } from '@meta-lora/artifacts';
import * as z from 'zod';
import { CELL_KEY_COLUMNS, compareCells } from './results-artifact.ts';
import { TASK_TYPES } from './task-type.ts';

/** File name of the per-example results, beside `eval-results.arrow`. */
export const EVAL_EXAMPLES_FILE = 'eval-examples.arrow';

const { method, taskId, seed, k } = CELL_KEY_COLUMNS;

export const EvalExampleRowSchema = z.strictObject({
  method,
  taskId,
  taskType: z.enum(TASK_TYPES).describe('how the task is scored'),
  seed,
  k,
  exampleIndex: z.number().int().min(0).describe('position in the task’s scored test examples (sorted by example id)'),
  exampleId: z.string().min(1).describe('the test example'),
  score: z
    .union([z.literal(0), z.literal(100)])
    .optional()
    .describe('classification accuracy or generation exact match of this example, 0 or 100; absent for translation'),
  chrfStatistics: z
    .array(z.number().int().min(0))
    .optional()
    .describe('generation and translation: chrfStatistics(prediction, target), [hyp, ref, match] per order'),
  targetNll: z.number().describe('−Σ log p(target tokens), nats'),
  targetTokens: z.number().int().positive().describe('target tokens scored'),
});

export type EvalExampleRow = z.infer<typeof EvalExampleRowSchema>;

export const EvalExamplesArtifact = defineArtifactKind({
  kind: 'eval-examples',
  schemaVersion: 1,
  row: EvalExampleRowSchema,
});

/**
 * Sorts rows into the artifact's canonical order: by cell (`compareCells`), then by example.
 *
 * @example
 * writeArtifact(path, EvalExamplesArtifact, sortExampleRows(rows), lineage);
 */
export function sortExampleRows(rows: readonly EvalExampleRow[]): EvalExampleRow[] {
  return [...rows].sort((a, b) => compareCells(a, b) || a.exampleIndex - b.exampleIndex);
}
