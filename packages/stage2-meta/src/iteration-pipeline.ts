/**
 * metaTrain's iterations in flight. `launchIteration` sends an iteration's tasks to stage 1; the meta-update of θ runs
 * as soon as every task's adapted part is in (`adapted`), while the workers still take the query losses of the old θ
 * (their jobs hold its values), and `rows` settles with those. So with workers the loop can launch the next iteration
 * right after `adapted`, and no worker waits at the iteration boundary.
 */
import type { Rng } from '@meta-lora/artifacts';
import type { LoraAdapter, Optimizer } from '@meta-lora/lora-core';
import type { TaskJob, TaskRunner, TaskUpdateRow } from '@meta-lora/stage1-adapt';
import type { MetaConfig } from './config.ts';
import type { MetaEpisode } from './meta-episode.ts';
import { type MetaUpdate, metaUpdate } from './meta-update.ts';
import { modeOf } from './run-identity.ts';

/** What every launch shares: the run's stage 1 runner, θ, the meta-optimizer and the run's draws. */
export interface IterationContext {
  readonly runner: TaskRunner;
  readonly shared: LoraAdapter;
  readonly optimizer: Optimizer;
  readonly episodes: readonly MetaEpisode[];
  readonly config: MetaConfig;
  readonly rng: Rng;
  readonly runHash: string;
}

/** An iteration whose jobs are out. */
export interface Launched {
  readonly iteration: number;
  /** The task rows, `queryLossBefore` included. */
  readonly rows: Promise<TaskUpdateRow[]>;
  /** Settles once the meta-update has run (θ holds the next iteration's values), or with the run's failure. */
  readonly adapted: Promise<void>;
  readonly update: () => MetaUpdate;
  /** The optimizer's step count right after this iteration's update. */
  readonly optimizerStep: () => number;
}

/**
 * Starts iteration `iteration`: task i draws from `rng.fork(\`task:t:i:taskId\`)`.
 *
 * @example
 * const launched = launchIteration(ctx, 0);
 * await launched.adapted; // θ is updated
 * const rows = await launched.rows;
 */
export function launchIteration(ctx: IterationContext, iteration: number): Launched {
  const { config, shared, optimizer } = ctx;
  const episode = ctx.episodes[iteration] as MetaEpisode;
  const jobs: TaskJob[] = episode.tasks.map((task, taskSlot) => ({
    iteration,
    taskSlot,
    task,
    mode: modeOf(config),
    rngState: ctx.rng.fork(`task:${iteration}:${taskSlot}:${task.taskId}`).state(),
    configHash: ctx.runHash,
    seed: config.seed,
  }));
  let update: MetaUpdate | undefined;
  let optimizerStep = 0;
  let markAdapted = () => {};
  const adapted = new Promise<void>((resolve) => {
    markAdapted = resolve;
  });
  const rows = ctx.runner.run(shared, jobs, {
    onAdapted: (updates) => {
      update = metaUpdate(shared, optimizer, updates, config);
      optimizerStep = optimizer.step;
      markAdapted();
    },
  });
  const adaptedOrFailed = Promise.race([adapted, rows.then(() => {})]);
  // Both are awaited by the loop; these only keep a run abandoned on an earlier failure from being an unhandled rejection.
  rows.catch(() => {});
  adaptedOrFailed.catch(() => {});
  return {
    iteration,
    rows,
    adapted: adaptedOrFailed,
    update: () => update as MetaUpdate,
    optimizerStep: () => optimizerStep,
  };
}
