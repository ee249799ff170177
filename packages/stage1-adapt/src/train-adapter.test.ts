import { Rng } from '@meta-lora/artifacts';
import { createLoraAdapter, createTinyModel, initBackend, tf } from '@meta-lora/lora-core';
import { expectNoTensorLeak } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticExample } from './test-tasks.ts';
import { devLoss, type TrainAdapterOptions, trainAdapter } from './train-adapter.ts';

await initBackend({ quiet: true });

const model = createTinyModel(3);
afterAll(() => model.dispose());
const lora = { r: 4, loraAlpha: 8, targetModules: 'all-linear' } as const;
const train = [3, 4, 5, 6, 7, 8, 9].map((x) => syntheticExample(0, x));
// dev examples of another task: the more the adapter fits task 0, the worse it does here, so the best step is early
const sets = [{ name: 't1', examples: [3, 4, 5].map((x) => syntheticExample(1, x)) }];
const base: TrainAdapterOptions = {
  optimizer: 'adam',
  lr: 0.05,
  steps: 12,
  batchSize: 4,
  maxSeqLen: 16,
  clipGradNorm: 1,
};
const fresh = () => createLoraAdapter(model, lora, Rng.fromSeed(1), 'a');
const values = (a: ReturnType<typeof fresh>) => a.variables().map((v) => Float32Array.from(v.dataSync()));

describe('trainAdapter', () => {
  it('without dev keeps the last step and counts every example the minibatches touched', () => {
    const a = fresh();
    const r = trainAdapter(model, a, train, base, Rng.fromSeed(0));
    expect(r.losses).toHaveLength(12);
    expect(r.bestStep).toBe(12);
    expect(r.devCurve).toEqual([]);
    expect(r.examplesTrained).toBe(7);
    a.dispose();
  });

  it('scores dev at step 0, every evalEvery steps and at the end', () => {
    const a = fresh();
    const r = trainAdapter(
      model,
      a,
      train,
      { ...base, dev: { sets, evalEvery: 5, patience: 0, batchSize: 8 } },
      Rng.fromSeed(0),
    );
    expect(r.devCurve.map((p) => p.step)).toEqual([0, 5, 10, 12]);
    a.dispose();
  });

  it('leaves the adapter at the step of the lowest dev loss, and reports that loss', () => {
    const dev = { sets, evalEvery: 2, patience: 0, batchSize: 8 };
    const a = fresh();
    const r = trainAdapter(model, a, train, { ...base, dev }, Rng.fromSeed(0));
    const best = r.devCurve.reduce((m, p) => (p.loss < m.loss ? p : m));
    expect(r.bestStep).toBe(best.step);
    expect(r.bestDevLoss).toBe(best.loss);
    expect(devLoss(model, a, dev, 16)).toBeCloseTo(best.loss, 6);
    // the same run cut at the best step holds the same values
    const b = fresh();
    if (r.bestStep > 0) trainAdapter(model, b, train, { ...base, steps: r.bestStep }, Rng.fromSeed(0));
    expect(values(a)).toEqual(values(b));
    a.dispose();
    b.dispose();
  });

  it('counts as trained only the examples seen up to the selected step', () => {
    const a = fresh();
    const dev = { sets, evalEvery: 1, patience: 1, batchSize: 8 };
    const r = trainAdapter(model, a, train, { ...base, batchSize: 2, dev }, Rng.fromSeed(0));
    expect(r.examplesTrained).toBeLessThanOrEqual(2 * r.bestStep);
    a.dispose();
  });

  it('stops after `patience` evaluations without a new best', () => {
    const a = fresh();
    // a learning rate this high makes dev worse after the first steps
    const r = trainAdapter(
      model,
      a,
      train,
      { ...base, lr: 0.5, steps: 200, dev: { sets, evalEvery: 1, patience: 3, batchSize: 8 } },
      Rng.fromSeed(0),
    );
    expect(r.stoppedEarly).toBe(true);
    expect(r.losses.length).toBeLessThan(200);
    const last = r.devCurve.at(-1)!.step;
    expect(last - r.bestStep).toBe(3);
    a.dispose();
  });

  it('leaks no tensors across a run with dev selection', async () => {
    const a = fresh();
    await expectNoTensorLeak(tf, () => {
      trainAdapter(
        model,
        a,
        train,
        { ...base, dev: { sets, evalEvery: 3, patience: 0, batchSize: 8 } },
        Rng.fromSeed(0),
      );
    });
    a.dispose();
  });
});
