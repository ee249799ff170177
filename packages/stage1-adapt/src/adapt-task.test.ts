import { Rng } from '@meta-lora/artifacts';
import { createLoraAdapter, createTinyModel, initBackend, tf } from '@meta-lora/lora-core';
import { expectNoTensorLeak } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { adaptTask } from './adapt-task.ts';
import { parseAdaptConfig } from './config.ts';
import { innerMinibatches } from './minibatches.ts';
import { targetLoss } from './target-loss.ts';
import { syntheticTask } from './test-tasks.ts';

await initBackend({ quiet: true });

const model = createTinyModel(3);
const shared = createLoraAdapter(model, { r: 4, loraAlpha: 8, targetModules: 'all-linear' }, Rng.fromSeed(1), 'shared');
const task = syntheticTask(0, 4, 3, 0);
afterAll(() => {
  shared.dispose();
  model.dispose();
});

describe('adaptTask', () => {
  it('with innerSteps 0 returns an exact copy of θ and no support losses', () => {
    const { adapter, supportLosses } = adaptTask(
      model,
      shared,
      task.support,
      parseAdaptConfig({ innerSteps: 0 }),
      Rng.fromSeed(0),
    );
    expect(supportLosses).toEqual([]);
    for (const [i, v] of adapter.variables().entries())
      expect(v).toBeAllClose(shared.variables()[i]!, { atol: 0, rtol: 0 });
    adapter.dispose();
  });

  it('lowers the support loss and leaves the shared adapter untouched', () => {
    const before = shared.variables().map((v) => Float32Array.from(v.dataSync()));
    const config = parseAdaptConfig({ innerSteps: 8, innerLr: 0.05, innerOptimizer: 'adam' });
    const { adapter, supportLosses } = adaptTask(model, shared, task.support, config, Rng.fromSeed(0));
    const opts = { maxSeqLen: 16, batchSize: 8 };
    expect(targetLoss(model, [adapter], task.support, opts).loss).toBeLessThan(supportLosses[0]! * 0.8);
    for (const [i, v] of shared.variables().entries()) expect(v).toBeAllClose(before[i]!, { atol: 0, rtol: 0 });
    adapter.dispose();
  });

  it('walks a large support set in seeded minibatches that cover every example per pass', () => {
    const batches = innerMinibatches(5, 2, 5, Rng.fromSeed(4));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 2, 2, 2]);
    expect(new Set(batches.slice(0, 2).flat()).size).toBe(4);
    expect(innerMinibatches(5, 2, 5, Rng.fromSeed(4))).toEqual(batches);
  });

  it('leaks no tensors', async () => {
    const config = parseAdaptConfig({ innerSteps: 2, innerOptimizer: 'adam' });
    await expectNoTensorLeak(tf, () =>
      adaptTask(model, shared, task.support, config, Rng.fromSeed(0)).adapter.dispose(),
    );
  });
});

describe('parseAdaptConfig', () => {
  it('refuses innerLr ≤ 0, naming the field and value', () => {
    expect(() => parseAdaptConfig({ innerLr: 0 })).toThrowError(/`adapt.innerLr`.*got 0/);
    expect(() => parseAdaptConfig({ innerLr: -1 })).toThrowError(/CONFIG|innerLr/);
  });

  it('refuses unknown keys and an unknown inner optimizer', () => {
    expect(() => parseAdaptConfig({ innerStep: 2 })).toThrowError(/innerStep/);
    expect(() => parseAdaptConfig({ innerOptimizer: 'lbfgs' })).toThrowError(/adapt.innerOptimizer/);
  });
});
