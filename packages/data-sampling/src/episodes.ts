/**
 * Episodes for meta-training. Meta-iteration i draws a batch of n distinct tasks; each gets a support set (stage 1:
 * the adapted copy θᵢ takes its steps on it) and a disjoint query set (stage 2: the meta-gradient), both drawn from the
 * task's pool. Iteration i uses its own `Rng` forked from the seed, so any iteration can be replayed alone.
 */
import { defineArtifactKind, MetaLoraError, Rng } from '@meta-lora/artifacts';
import * as z from 'zod';
import { DEFAULT_TASKS_PER_BATCH, type EpisodeConfig } from './config.ts';
import type { PoolRow } from './pool.ts';

export const EpisodeRowSchema = z.strictObject({
  iteration: z.number().int().min(0).describe('meta-iteration, 0-based'),
  taskSlot: z.number().int().min(0).describe('position of the task in the iteration’s batch'),
  taskId: z.string().min(1).describe('task name'),
  role: z.enum(['support', 'query']).describe('support (adaptation) or query (meta-gradient)'),
  position: z.number().int().min(0).describe('position within the support or query set'),
  exampleId: z.string().min(1).describe('id of the pooled example (parent `pool` artifact)'),
});

/** One example's place in one episode. */
export type EpisodeRow = z.infer<typeof EpisodeRowSchema>;

/** The `episodes` artifact: one row per (iteration, task, role, position). Texts live in the parent pool. */
export const EpisodesArtifact = defineArtifactKind({
  kind: 'episodes',
  schemaVersion: 1,
  row: EpisodeRowSchema,
});

/** One task's share of a meta-iteration, with the pooled examples resolved. */
export interface TaskEpisode {
  readonly taskId: string;
  readonly support: PoolRow[];
  readonly query: PoolRow[];
}

/** One meta-iteration: a batch of task episodes. */
export interface Episode {
  readonly iteration: number;
  readonly tasks: TaskEpisode[];
}

function poolsByTask(pool: readonly PoolRow[]): Map<string, PoolRow[]> {
  const byTask = new Map<string, PoolRow[]>();
  for (const row of pool) {
    const list = byTask.get(row.taskId);
    if (list) list.push(row);
    else byTask.set(row.taskId, [row]);
  }
  for (const list of byTask.values()) list.sort((a, b) => a.slot - b.slot);
  return byTask;
}

/**
 * Samples `iterations` episodes from the pool. Support and query sets are disjoint (one draw of
 * `supportSize + querySize` distinct pool examples, split in two).
 *
 * @example
 * const rows = sampleEpisodes(pool, { iterations: 100, tasksPerBatch: 4, supportSize: 8, querySize: 8 }, 0);
 */
export function sampleEpisodes(pool: readonly PoolRow[], config: EpisodeConfig, seed: number): EpisodeRow[] {
  const { iterations, supportSize, querySize } = config;
  const byTask = poolsByTask(pool);
  const tasks = [...byTask.keys()].sort();
  // Unset: the default, or every task when there are fewer (an explicit value that cannot work is refused below).
  const tasksPerBatch = config.tasksPerBatch ?? Math.min(DEFAULT_TASKS_PER_BATCH, tasks.length);
  if (tasksPerBatch > tasks.length) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `tasksPerBatch = ${tasksPerBatch} but the pool has ${tasks.length} tasks`,
      {
        field: 'episodes.tasksPerBatch',
        value: tasksPerBatch,
        fix: `lower episodes.tasksPerBatch to at most ${tasks.length}`,
      },
    );
  }
  for (const [taskId, rows] of byTask) {
    if (supportSize + querySize > rows.length) {
      throw new MetaLoraError(
        'CONFIG_INVALID',
        `supportSize + querySize = ${supportSize + querySize} but task \`${taskId}\` pools only ${rows.length} examples`,
        { field: 'episodes.querySize', value: querySize, fix: 'lower supportSize + querySize to at most k' },
      );
    }
  }
  const root = Rng.fromSeed(seed).fork('episodes');
  const out: EpisodeRow[] = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    const rng = root.fork(iteration);
    rng.sample(tasks, tasksPerBatch).forEach((taskId, taskSlot) => {
      const drawn = rng.sample(byTask.get(taskId)!, supportSize + querySize);
      drawn.forEach((row, i) => {
        const role = i < supportSize ? 'support' : 'query';
        const position = i < supportSize ? i : i - supportSize;
        out.push({ iteration, taskSlot, taskId, role, position, exampleId: row.exampleId });
      });
    });
  }
  return out;
}

/**
 * Groups episode rows into meta-iterations and resolves example ids against the pool (for stage 1 and stage 2).
 *
 * @example
 * for (const { iteration, tasks } of resolveEpisodes(episodeRows, pool)) { … }
 */
export function resolveEpisodes(rows: readonly EpisodeRow[], pool: readonly PoolRow[]): Episode[] {
  const byId = new Map<string, PoolRow>();
  for (const row of pool) byId.set(`${row.taskId}\0${row.exampleId}`, row);
  const episodes = new Map<number, Map<number, TaskEpisode>>();
  const sorted = [...rows].sort(
    (a, b) => a.iteration - b.iteration || a.taskSlot - b.taskSlot || a.position - b.position,
  );
  for (const row of sorted) {
    const example = byId.get(`${row.taskId}\0${row.exampleId}`);
    if (!example) {
      throw new MetaLoraError(
        'ARTIFACT_INVALID',
        `episode example ${row.exampleId} of task \`${row.taskId}\` is not in the pool`,
        {
          field: 'exampleId',
          value: row.exampleId,
          fix: 'pass the pool artifact the episodes were sampled from (see the episodes lineage parents)',
        },
      );
    }
    const batch = episodes.get(row.iteration) ?? new Map<number, TaskEpisode>();
    episodes.set(row.iteration, batch);
    const task = batch.get(row.taskSlot) ?? { taskId: row.taskId, support: [], query: [] };
    batch.set(row.taskSlot, task);
    task[row.role].push(example);
  }
  return [...episodes].map(([iteration, batch]) => ({
    iteration,
    tasks: [...batch].sort(([a], [b]) => a - b).map(([, t]) => t),
  }));
}
