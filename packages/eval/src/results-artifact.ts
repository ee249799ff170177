/**
 * The `eval-results` artifact: one row per method × task × seed × k. Metrics are percentages in [0, 100]; columns of
 * metrics a task type does not produce are null (absent in the row object).
 */
import { defineArtifactKind } from '@meta-lora/artifacts';
import { UsageRowSchema } from '@meta-lora/data-sampling';
import * as z from 'zod';
import { METHODS } from './conditions.ts';
import { TASK_TYPES } from './task-type.ts';

/** File name of the results inside a run directory. */
export const EVAL_RESULTS_FILE = 'eval-results.arrow';

const pct = () => z.number().min(0).max(100);

/**
 * The columns that name a cell, method × task × seed × k: the key of every row of `eval-results` and of its
 * companions `eval-cells` and `eval-examples`.
 */
export const CELL_KEY_COLUMNS = {
  method: z.enum(METHODS).describe('evaluated condition'),
  taskId: z.string().min(1).describe('task name'),
  seed: z.number().int().describe('training seed of the condition'),
  k: z.number().int().positive().optional().describe('k-shot budget; absent for zero-shot and full-data methods'),
};
const { method, taskId, seed, k } = CELL_KEY_COLUMNS;
// The data a method used on a task: the `usage` artifact's counts, which the conditions pass in.
const { examples, tokens } = UsageRowSchema.shape;

export const EvalResultRowSchema = z.strictObject({
  method,
  taskId,
  family: z.string().min(1).describe('task family'),
  language: z.string().min(1).describe('ISO 639-1 code'),
  taskType: z.enum(TASK_TYPES).describe('how the task is scored'),
  seed,
  k,
  primaryMetric: z.enum(['accuracy', 'exactMatch', 'chrF']).describe('the metric in `score`'),
  score: pct().describe('primary metric value (percent)'),
  accuracy: pct().optional().describe('classification accuracy (percent)'),
  macroF1: pct().optional().describe('classification macro-F1 (percent)'),
  exactMatch: pct().optional().describe('normalised exact match (percent)'),
  chrF: pct().optional().describe('corpus chrF, sacreBLEU defaults'),
  targetLoss: z.number().min(0).describe('token-weighted mean NLL of the test targets, nats per token'),
  numTestExamples: z.number().int().positive().describe('test examples scored'),
  examplesUsed: examples,
  tokensUsed: tokens,
});

export type EvalResultRow = z.infer<typeof EvalResultRowSchema>;

export const EvalResultsArtifact = defineArtifactKind({
  kind: 'eval-results',
  schemaVersion: 1,
  row: EvalResultRowSchema,
});

/**
 * The canonical order of cells: method (in `METHODS` order), task, k (absent first), seed.
 *
 * @example
 * rows.sort(compareCells); // base-zero-shot before meta-lora-shared; within a method, by task, k, seed
 */
export function compareCells(a: Pick<EvalResultRow, keyof typeof CELL_KEY_COLUMNS>, b: typeof a): number {
  return (
    METHODS.indexOf(a.method) - METHODS.indexOf(b.method) ||
    (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0) ||
    (a.k ?? 0) - (b.k ?? 0) ||
    a.seed - b.seed
  );
}

/**
 * Sorts rows into the artifact's canonical order (`compareCells`).
 *
 * @example
 * writeArtifact(path, EvalResultsArtifact, sortResultRows(rows), lineage);
 */
export function sortResultRows(rows: readonly EvalResultRow[]): EvalResultRow[] {
  return [...rows].sort(compareCells);
}
