/**
 * Dev selection of meta-training: the dev loss of θ (each dev task adapts a copy on its support set, as at test time,
 * and is scored on its dev query set), and the best-so-far / patience bookkeeping that keeps the best θ and stops early.
 */
import type { Rng } from '@meta-lora/artifacts';
import type { LoraAdapter } from '@meta-lora/lora-core';
import type { TaskData, TaskJob, TaskRunner } from '@meta-lora/stage1-adapt';
import type { MetaTrainState } from './meta-checkpoint.ts';

/**
 * The mean adapted dev loss of `shared` over `devTasks`; the same draws at every evaluation.
 *
 * @example
 * const loss = await meanDevLoss(runner, shared, devTasks, rng, runHash, config.seed, iteration);
 */
export async function meanDevLoss(
  runner: TaskRunner,
  shared: LoraAdapter,
  devTasks: readonly TaskData[],
  rng: Rng,
  runHash: string,
  seed: number,
  iteration: number,
): Promise<number> {
  const jobs: TaskJob[] = devTasks.map((task, taskSlot) => ({
    iteration,
    taskSlot,
    task,
    mode: 'eval',
    // the same draws at every evaluation, so dev losses are comparable across iterations
    rngState: rng.fork(`dev:${taskSlot}:${task.taskId}`).state(),
    configHash: runHash,
    seed,
  }));
  const updates = await runner.runAdapted(shared, jobs);
  return updates.reduce((s, u) => s + u.queryLossAfter, 0) / updates.length;
}

/**
 * The state after an evaluation at `iteration`: a new best resets the patience count; otherwise it grows, and the run
 * stops once it reaches `patience` (0: never).
 *
 * @example
 * const { state, improved } = trackDev(state, 2.31, 49, config.earlyStoppingPatience);
 */
export function trackDev(
  state: MetaTrainState,
  loss: number,
  iteration: number,
  patience: number,
): { state: MetaTrainState; improved: boolean } {
  if (state.bestDevLoss === null || loss < state.bestDevLoss) {
    return {
      state: { ...state, bestDevLoss: loss, bestIteration: iteration, evalsWithoutImprovement: 0 },
      improved: true,
    };
  }
  const stale = state.evalsWithoutImprovement + 1;
  return {
    state: { ...state, evalsWithoutImprovement: stale, stoppedEarly: patience > 0 && stale >= patience },
    improved: false,
  };
}
