/**
 * Data accounting: for any method, how many distinct examples and how many tokens of them it used per task, so reports
 * can show "data used" next to scores. Tokens are counted once per distinct example (prompt + target) with the
 * caller's tokenizer — the tokenizer lives in lora-core, so it is a parameter here.
 */
import { defineArtifactKind } from '@meta-lora/artifacts';
import * as z from 'zod';
import type { EpisodeRow } from './episodes.ts';
import type { PoolRow } from './pool.ts';

export const UsageRowSchema = z.strictObject({
  method: z.string().min(1).describe('e.g. `meta-lora`, `few-shot`, `full-data`'),
  taskId: z.string().min(1).describe('task name'),
  examples: z.number().int().min(0).describe('distinct examples used'),
  tokens: z.number().int().min(0).describe('tokens of those examples (prompt + target), each counted once'),
});

/** Data used by one method on one task. */
export type UsageRow = z.infer<typeof UsageRowSchema>;

/** The `usage` artifact. */
export const UsageArtifact = defineArtifactKind({
  kind: 'usage',
  schemaVersion: 1,
  row: UsageRowSchema,
});

/** Anything with a task, an id and text. */
export interface UsedExample {
  readonly taskId: string;
  readonly exampleId: string;
  readonly input: string;
  readonly target: string;
}

/**
 * Distinct examples and their tokens per task, for `method`. Rows are sorted by task id.
 *
 * @example
 * dataUsage('few-shot', pool, (text) => tokenizer.encode(text).length);
 */
export function dataUsage(
  method: string,
  used: Iterable<UsedExample>,
  countTokens: (text: string) => number,
): UsageRow[] {
  const perTask = new Map<string, Map<string, UsedExample>>();
  for (const e of used) {
    const seen = perTask.get(e.taskId) ?? new Map<string, UsedExample>();
    perTask.set(e.taskId, seen);
    seen.set(e.exampleId, e);
  }
  return [...perTask.keys()].sort().map((taskId) => {
    const distinct = [...perTask.get(taskId)!.values()];
    const tokens = distinct.reduce((sum, e) => sum + countTokens(e.input + e.target), 0);
    return { method, taskId, examples: distinct.length, tokens };
  });
}

/**
 * The pool examples that episodes actually touch (support or query), for `dataUsage('meta-lora', …)`.
 *
 * @example
 * dataUsage('meta-lora', episodeExamples(episodeRows, pool), countTokens);
 */
export function episodeExamples(episodes: readonly EpisodeRow[], pool: readonly PoolRow[]): PoolRow[] {
  const used = new Set(episodes.map((r) => `${r.taskId}\0${r.exampleId}`));
  return pool.filter((p) => used.has(`${p.taskId}\0${p.exampleId}`));
}
