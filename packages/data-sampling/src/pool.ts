/**
 * The few-shot budget: a pool of exactly k train examples per task, drawn with a seeded `Rng`. Everything MeTA-LoRA
 * trains on comes from the pool, so "data used" is at most k examples per task.
 */
import { defineArtifactKind, MetaLoraError, Rng } from '@meta-lora/artifacts';
import * as z from 'zod';
import { type Example, ExampleSchema } from './example.ts';

// A pooled example keeps the columns of its row in the parent `tasks` artifact, all but its split.
const { taskId, exampleId, family, language, input, target, choices } = ExampleSchema.shape;

export const PoolRowSchema = z.strictObject({
  taskId,
  slot: z.number().int().min(0).describe('position in the task’s pool, 0 … k-1'),
  exampleId,
  family,
  language,
  input,
  target,
  choices,
});

/** One pooled example. */
export type PoolRow = z.infer<typeof PoolRowSchema>;

/** The `pool` artifact: k train examples per task. */
export const PoolArtifact = defineArtifactKind({
  kind: 'pool',
  schemaVersion: 1,
  row: PoolRowSchema,
});

/**
 * Draws exactly `k` train examples per task. A task's draw depends only on the seed, the task id and its train set
 * (its own forked `Rng`), not on the other tasks. A task without train examples is `EMPTY_TASK`; one with fewer than
 * `k` is `CONFIG_INVALID` naming the task, its count and k — or, with `capK`, pools all of its train examples (a study
 * sweeping k past a small task's train split).
 *
 * @example
 * const pool = buildPools(examples, { k: 16, seed: 0 });
 */
export function buildPools(
  examples: readonly Example[],
  options: { k: number; seed: number; capK?: boolean },
): PoolRow[] {
  const { seed } = options;
  const train = new Map<string, Example[]>();
  const all = new Set<string>();
  for (const e of examples) {
    all.add(e.taskId);
    if (e.split !== 'train') continue;
    const list = train.get(e.taskId);
    if (list) list.push(e);
    else train.set(e.taskId, [e]);
  }
  if (all.size === 0) {
    throw new MetaLoraError('EMPTY_TASK', 'no tasks to pool: the example list is empty', {
      fix: 'build a suite or load a dataset with at least one task',
    });
  }
  const out: PoolRow[] = [];
  const root = Rng.fromSeed(seed);
  for (const taskId of [...all].sort()) {
    const candidates = (train.get(taskId) ?? []).sort((a, b) => (a.exampleId < b.exampleId ? -1 : 1));
    if (candidates.length === 0) {
      throw new MetaLoraError('EMPTY_TASK', `task \`${taskId}\` has no train examples to pool`, {
        field: taskId,
        fix: 'add train examples to the task, or drop it with `tasks`',
      });
    }
    const k = options.capK ? Math.min(options.k, candidates.length) : options.k;
    if (candidates.length < k) {
      throw new MetaLoraError(
        'CONFIG_INVALID',
        `k = ${k} but task \`${taskId}\` has only ${candidates.length} train examples`,
        {
          field: 'k',
          value: k,
          fix: `lower k to at most ${candidates.length}, or add train examples to \`${taskId}\``,
        },
      );
    }
    root
      .fork(`pool:${taskId}`)
      .sample(candidates, k)
      .forEach((e, slot) => {
        out.push({
          taskId,
          slot,
          exampleId: e.exampleId,
          family: e.family,
          language: e.language,
          input: e.input,
          target: e.target,
          ...(e.choices ? { choices: e.choices } : {}),
        });
      });
  }
  return out;
}
