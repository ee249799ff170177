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
type Adapter = ReturnType<typeof fresh>;
const values = (a: Adapter) => a.variables().map((v) => Float32Array.from(v.dataSync()));
/** `trainAdapter` of `a` on task 0 with `base` overridden by `options`, seed 0. */
const run = (a: Adapter, options: Partial<TrainAdapterOptions> = {}) =>
  trainAdapter(model, a, train, { ...base, ...options }, Rng.fromSeed(0));
/** Dev selection on `sets`: scored every `evalEvery` steps, stopped after `patience` evaluations without a new best. */
const devEvery = (evalEvery: number, patience = 0) => ({ sets, evalEvery, patience, batchSize: 8 });

describe('trainAdapter', () => {
  it('without dev keeps the last step and counts every example the minibatches touched', () => {
    const a = fresh();
    const r = run(a);
    expect(r.losses).toHaveLength(12);
    expect(r.bestStep).toBe(12);
    expect(r.devCurve).toEqual([]);
    expect(r.examplesTrained).toBe(7);
    a.dispose();
  });

  it('scores dev at step 0, every evalEvery steps and at the end', () => {
    const a = fresh();
    const r = run(a, { dev: devEvery(5) });
    expect(r.devCurve.map((p) => p.step)).toEqual([0, 5, 10, 12]);
    a.dispose();
  });

  it('leaves the adapter at the step of the lowest dev loss, and reports that loss', () => {
    const dev = devEvery(2);
    const a = fresh();
    const r = run(a, { dev });
    const best = r.devCurve.reduce((m, p) => (p.loss < m.loss ? p : m));
    expect(r.bestStep).toBe(best.step);
    expect(r.bestDevLoss).toBe(best.loss);
    expect(devLoss(model, a, dev, 16)).toBeCloseTo(best.loss, 6);
    // the same run cut at the best step holds the same values
    const b = fresh();
    if (r.bestStep > 0) run(b, { steps: r.bestStep });
    expect(values(a)).toEqual(values(b));
    a.dispose();
    b.dispose();
  });

  it('counts as trained only the examples seen up to the selected step', () => {
    const a = fresh();
    const r = run(a, { batchSize: 2, dev: devEvery(1, 1) });
    expect(r.examplesTrained).toBeLessThanOrEqual(2 * r.bestStep);
    a.dispose();
  });

  it('stops after `patience` evaluations without a new best', () => {
    const a = fresh();
    // a learning rate this high makes dev worse after the first steps
    const r = run(a, { lr: 0.5, steps: 200, dev: devEvery(1, 3) });
    expect(r.stoppedEarly).toBe(true);
    expect(r.losses.length).toBeLessThan(200);
    const last = r.devCurve.at(-1)!.step;
    expect(last - r.bestStep).toBe(3);
    a.dispose();
  });

  it('leaks no tensors across a run with dev selection', async () => {
    const a = fresh();
    await expectNoTensorLeak(tf, () => {
      run(a, { dev: devEvery(3) });
    });
    a.dispose();
  });
});
