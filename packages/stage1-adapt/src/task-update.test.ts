import { Rng } from '@meta-lora/artifacts';
import {
  causalLmLoss,
  createLoraAdapter,
  createTinyModel,
  idExampleBatch,
  initBackend,
  tf,
  valueAndGradients,
} from '@meta-lora/lora-core';
import { expectNoTensorLeak } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAdaptConfig } from './config.ts';
import {
  computeTaskUpdate,
  flattenAdapter,
  type TaskJob,
  taskUpdatesFromIPC,
  taskUpdatesToIPC,
  unflattenAdapter,
} from './task-update.ts';
import { syntheticTask } from './test-tasks.ts';

await initBackend({ quiet: true });

const model = createTinyModel(5);
const lora = { r: 4, loraAlpha: 8, targetModules: 'all-linear', initLoraWeights: false } as const;
const shared = createLoraAdapter(model, lora, Rng.fromSeed(2), 'shared');
afterAll(() => {
  shared.dispose();
  model.dispose();
});

function job(taskSlot: number, mode: TaskJob['mode'] = 'query-gradient'): TaskJob {
  const task = syntheticTask(taskSlot, 3, 3, 1);
  return {
    iteration: 7,
    taskSlot,
    task,
    mode,
    rngState: Rng.fromSeed(`${task.taskId}:7`).state(),
    configHash: 'test',
    seed: 1,
  };
}

describe('computeTaskUpdate', () => {
  it('with innerSteps 0 hands over exactly the plain query-loss gradient of θ', () => {
    const row = computeTaskUpdate(model, shared, job(0), parseAdaptConfig({ innerSteps: 0 }));
    const batch = idExampleBatch(job(0).task.query, { maxSeqLen: 256, padTokenId: 0 });
    const { loss, grads } = valueAndGradients(
      () => causalLmLoss(model, batch, { adapters: [shared] }),
      shared.variables(),
    );
    const flat = tf.tidy(() => tf.concat(grads.map((g) => g.flatten())));
    expect(row.values).toHaveLength(shared.numParameters());
    expect(flat).toBeAllClose(row.values, { atol: 1e-7, rtol: 1e-6 });
    expect(row.queryLossAfter).toBeCloseTo(loss, 6);
    expect(row.queryLossBefore).toBe(row.queryLossAfter);
    for (const g of [...grads, flat]) g.dispose();
  });

  it('round-trips through the task-updates Arrow bytes unchanged', () => {
    const row = computeTaskUpdate(model, shared, job(1, 'adapted-weights'), parseAdaptConfig({ innerSteps: 2 }));
    expect(taskUpdatesFromIPC(taskUpdatesToIPC([row], { configHash: 'x', seed: 1 }))).toEqual([row]);
    expect(row.supportLosses).toHaveLength(2);
    expect([row.supportExamples, row.queryExamples, row.queryTargetTokens]).toEqual([3, 3, 6]);
  });

  it('refuses a task with an empty query set', () => {
    const empty = { ...job(0), task: { ...job(0).task, query: [] } };
    expect(() => computeTaskUpdate(model, shared, empty, parseAdaptConfig({}))).toThrowError(/t0.*empty query set/);
  });

  it('leaks no tensors', async () => {
    const config = parseAdaptConfig({ innerSteps: 2 });
    await expectNoTensorLeak(tf, () => {
      computeTaskUpdate(model, shared, job(2), config);
      computeTaskUpdate(model, shared, job(2, 'adapted-weights'), config);
    });
  });
});

describe('flattenAdapter / unflattenAdapter', () => {
  it('round-trip the adapter’s values exactly, shaped like its variables', () => {
    const tensors = unflattenAdapter(flattenAdapter(shared), shared);
    expect(tensors.map((t) => t.shape)).toEqual(shared.variables().map((v) => v.shape));
    shared.variables().forEach((v, i) => {
      expect([...(tensors[i] as tf.Tensor).dataSync()]).toEqual([...v.dataSync()]);
    });
    for (const t of tensors) t.dispose();
  });
});
