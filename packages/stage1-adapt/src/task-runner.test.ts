import { Rng } from '@meta-lora/artifacts';
import { createLoraAdapter, createTinyModel, initBackend, tf } from '@meta-lora/lora-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAdaptConfig } from './config.ts';
import { partOrder, TaskRunner } from './task-runner.ts';
import type { TaskJob } from './task-update.ts';
import { syntheticTask } from './test-tasks.ts';

await initBackend({ quiet: true });

const example = (tokens: number) => ({ promptIds: Array.from({ length: tokens - 1 }, () => 5), targetIds: [0] });
const job = (taskSlot: number, supportTokens: number, queryTokens: number): TaskJob => ({
  iteration: 0,
  taskSlot,
  task: { taskId: `t${taskSlot}`, support: [example(supportTokens)], query: [example(queryTokens)] },
  mode: 'query-gradient',
  rngState: [1, 2, 3, 4],
  configHash: 'c0ffee',
  seed: 0,
});

describe('partOrder', () => {
  const jobs = [job(0, 10, 10), job(1, 40, 10), job(2, 10, 30), job(3, 5, 5)];

  it('hands out the most expensive adaptation first, weighting support tokens by the inner steps', () => {
    // adaptations with 4 inner steps: 3·(4·S + Q) = 150, 510, 210, 75
    expect(partOrder(jobs, 4).slice(0, 4)).toEqual([1, 2, 0, 3]);
  });

  it('hands out the query losses of θ (one forward pass each) by the same cost, after the adaptations here', () => {
    expect(partOrder(jobs, 4).slice(4)).toEqual([6, 4, 5, 7]);
    // with no inner steps an adaptation is the query pass and its backward: 30, 30, 90, 15 against 10, 10, 30, 5
    expect(partOrder(jobs, 0)).toEqual([2, 0, 1, 6, 3, 4, 5, 7]);
  });
});

describe('TaskRunner', () => {
  const model = createTinyModel(3);
  const shared = createLoraAdapter(
    model,
    { r: 2, loraAlpha: 4, targetModules: 'all-linear', initLoraWeights: false },
    Rng.fromSeed(1),
    'shared',
  );
  const adaptConfig = parseAdaptConfig({ innerSteps: 2 });
  const jobs: TaskJob[] = [0, 1, 2].map((slot) => ({
    iteration: 0,
    taskSlot: slot,
    task: syntheticTask(slot, 3, 3, 1),
    mode: 'query-gradient',
    rngState: Rng.fromSeed(`job:${slot}`).state(),
    configHash: 'test',
    seed: 0,
  }));
  const start = (workers: number) =>
    TaskRunner.start({ model, modelSource: { tiny: { seed: 3 } }, adaptConfig, workers }, shared);
  const runner = start(2);
  afterAll(async () => {
    await runner.close();
    shared.dispose();
    model.dispose();
  });

  it('joins each task’s two worker jobs into the row this thread computes', async () => {
    const adapted: unknown[] = [];
    const onAdapted = (updates: readonly unknown[]) => adapted.push(updates);
    const inThread = await start(0).run(shared, jobs, { onAdapted });
    expect(await runner.run(shared, jobs, { onAdapted })).toEqual(inThread);
    expect(adapted[1]).toEqual(adapted[0]);
  });

  it('hands onAdapted the rows without queryLossBefore; changing shared there changes no row', async () => {
    const inThread = await start(0).run(shared, jobs);
    const saved = [...shared.namedTensors()].map(([name, t]) => [name, Float32Array.from(t.dataSync())] as const);
    const seen: string[][] = [];
    try {
      const rows = await runner.run(shared, jobs, {
        onAdapted: (updates) => {
          seen.push(updates.map((u) => u.taskId));
          expect(updates.every((u) => !('queryLossBefore' in u))).toBe(true);
          tf.tidy(() => {
            for (const v of shared.variables()) v.assign(tf.zerosLike(v));
          });
        },
      });
      expect(seen).toEqual([jobs.map((j) => j.task.taskId)]);
      expect(rows).toEqual(inThread);
    } finally {
      tf.tidy(() => shared.setFromArrays(new Map(saved.map(([n, v]) => [n, v]))));
    }
  });

  it('runAdapted returns the rows without queryLossBefore, in this thread and on workers alike', async () => {
    const rows = await start(0).run(shared, jobs);
    const expected = rows.map(({ queryLossBefore: _before, ...update }) => update);
    expect(await start(0).runAdapted(shared, jobs)).toEqual(expected);
    expect(await runner.runAdapted(shared, jobs)).toEqual(expected);
  });

  it('calls onAdapted once with no rows when there are no jobs', async () => {
    const calls: unknown[] = [];
    expect(await runner.run(shared, [], { onAdapted: (updates) => calls.push(updates) })).toEqual([]);
    expect(calls).toEqual([[]]);
  });

  it('rejects with the error onAdapted throws', async () => {
    await expect(
      runner.run(shared, jobs, {
        onAdapted: () => {
          throw new Error('meta-update failed');
        },
      }),
    ).rejects.toThrow('meta-update failed');
  });
});
