/**
 * Synthetic id-level tasks for tests on the tiny model (vocab 32): task t maps prompt `[1, 10 + t, x]` to target
 * `[(x + 3t) mod 8 + 20, 2]` for x in 3…9. Deterministic in the seed.
 */
import { Rng } from '@meta-lora/artifacts';
import type { IdExample } from '@meta-lora/lora-core';
import type { TaskData } from './task-update.ts';

export function syntheticExample(task: number, x: number): IdExample {
  return { prefixIds: [1], promptIds: [10 + task, x], targetIds: [((x + 3 * task) % 8) + 20, 2] };
}

export function syntheticTask(task: number, support: number, query: number, seed: number): TaskData {
  const xs = Rng.fromSeed(seed).fork(task).shuffle([3, 4, 5, 6, 7, 8, 9]);
  return {
    taskId: `t${task}`,
    support: xs.slice(0, support).map((x) => syntheticExample(task, x)),
    query: xs.slice(support, support + query).map((x) => syntheticExample(task, x)),
  };
}
