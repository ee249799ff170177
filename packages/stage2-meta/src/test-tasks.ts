/**
 * Synthetic id-level multi-task problems for tests on the tiny model (vocab 32): task t maps prompt `[10 + t, x]`
 * (after BOS 1) to target `[(x + 3t) mod 8 + 20, 2]`, x in 3…9. The tasks share a structure (an offset of x), so a
 * shared adapter can learn it and k support steps can specialise it. Deterministic in the seed.
 */
import { Rng } from '@meta-lora/artifacts';
import type { IdExample } from '@meta-lora/lora-core';
import type { TaskData } from '@meta-lora/stage1-adapt';
import type { MetaEpisode } from './meta-episode.ts';

export function syntheticExample(task: number, x: number): IdExample {
  return { prefixIds: [1], promptIds: [10 + task, x], targetIds: [((x + 3 * task) % 8) + 20, 2] };
}

export function syntheticTask(task: number, support: number, query: number, rng: Rng): TaskData {
  const xs = rng.shuffle([3, 4, 5, 6, 7, 8, 9]);
  return {
    taskId: `t${task}`,
    support: xs.slice(0, support).map((x) => syntheticExample(task, x)),
    query: xs.slice(support, support + query).map((x) => syntheticExample(task, x)),
  };
}

/** `iterations` episodes of `tasksPerBatch` tasks drawn from `numTasks`, with disjoint support and query sets. */
export function syntheticEpisodes(
  iterations: number,
  options: { numTasks: number; tasksPerBatch: number; support: number; query: number; seed: number },
): MetaEpisode[] {
  const root = Rng.fromSeed(options.seed);
  const all = Array.from({ length: options.numTasks }, (_, t) => t);
  return Array.from({ length: iterations }, (_, iteration) => {
    const rng = root.fork(iteration);
    const tasks = rng
      .sample(all, options.tasksPerBatch)
      .map((t) => syntheticTask(t, options.support, options.query, rng));
    return { iteration, tasks };
  });
}
