import { Rng, SUM_SQUARES_KERNEL } from '@meta-lora/artifacts';
import { expectNoTensorLeak } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLoraAdapter } from '../lora/lora-adapter.ts';
import { gatherRows } from '../model/gather-rows.ts';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { causalLmLoss, crossEntropy, IGNORE_INDEX, lossTargets, type TokenBatch } from './loss.ts';
import { Optimizer } from './optimizer.ts';
import { globalNorm, trainStep, valueAndGradients } from './train-step.ts';

await initBackend({ quiet: true });

const batch: TokenBatch = {
  batchSize: 2,
  seqLen: 6,
  inputIds: Int32Array.from([3, 7, 1, 9, 4, 4, 5, 0, 2, 8, 11, 6]),
  labels: Int32Array.from([IGNORE_INDEX, IGNORE_INDEX, 1, 9, 4, 4, IGNORE_INDEX, 0, 2, 8, 11, IGNORE_INDEX]),
};

describe('trainStep', () => {
  const model = createTinyModel(11);
  afterAll(() => model.dispose());

  it('moves only LoRA weights: every base weight is bit-identical after a step', () => {
    const adapter = createLoraAdapter(model, { r: 4, targetModules: 'all-linear' }, Rng.fromSeed(1));
    const before = [...model.linearModules().values()].map((l) => Float32Array.from(l.weight.dataSync()));
    const embed = Float32Array.from(model.embedTokens.dataSync());
    const b0 = Float32Array.from(adapter.factors.values().next().value!.b.dataSync());
    trainStep(model, adapter, batch, new Optimizer({ lr: 1e-2 }));
    for (const [i, l] of [...model.linearModules().values()].entries()) {
      expect(l.weight).toBeAllClose(before[i]!, { atol: 0, rtol: 0 });
    }
    expect(model.embedTokens).toBeAllClose(embed, { atol: 0, rtol: 0 });
    expect(adapter.factors.values().next().value!.b).not.toBeAllClose(b0, { atol: 1e-7, rtol: 0 });
    adapter.dispose();
  });

  it('lowers the loss over a few steps on a fixed batch', () => {
    const adapter = createLoraAdapter(model, { r: 4, loraAlpha: 8, targetModules: 'all-linear' }, Rng.fromSeed(2));
    const opt = new Optimizer({ lr: 1e-2 });
    const first = trainStep(model, adapter, batch, opt).loss;
    let last = first;
    for (let i = 0; i < 20; i++) last = trainStep(model, adapter, batch, opt).loss;
    expect(last).toBeLessThan(first * 0.8);
    opt.dispose();
    adapter.dispose();
  });

  it('leaks no tensors', async () => {
    const adapter = createLoraAdapter(model, { r: 4, targetModules: 'all-linear', loraDropout: 0.1 }, Rng.fromSeed(3));
    const opt = new Optimizer({ lr: 1e-3 });
    const rng = Rng.fromSeed(4);
    trainStep(model, adapter, batch, opt, { rng, clipGradNorm: 1 }); // creates optimizer slots and cached masks
    await expectNoTensorLeak(tf, () => {
      for (let i = 0; i < 3; i++) trainStep(model, adapter, batch, opt, { rng, clipGradNorm: 1 });
    });
    opt.dispose();
    adapter.dispose();
  });

  it('gradients agree with central finite differences', () => {
    const adapter = createLoraAdapter(
      model,
      { r: 2, targetModules: ['q_proj', 'up_proj'], initLoraWeights: false },
      Rng.fromSeed(5),
    );
    const vars = adapter.variables();
    const lossOf = () => tf.tidy(() => causalLmLoss(model, batch, { adapters: [adapter] }).dataSync()[0] as number);
    const { grads } = valueAndGradients(() => causalLmLoss(model, batch, { adapters: [adapter] }), vars);
    const rng = Rng.fromSeed(6);
    const eps = 1e-2;
    for (let trial = 0; trial < 8; trial++) {
      const vi = rng.int(vars.length);
      const v = vars[vi]!;
      const j = rng.int(v.size);
      const values = Float32Array.from(v.dataSync());
      const orig = values[j]!;
      values[j] = orig + eps;
      v.assign(tf.tensor(values, v.shape));
      const up = lossOf();
      values[j] = orig - eps;
      v.assign(tf.tensor(values, v.shape));
      const down = lossOf();
      values[j] = orig;
      v.assign(tf.tensor(values, v.shape));
      const numeric = (up - down) / (2 * eps);
      const analytic = grads[vi]!.dataSync()[j]!;
      expect(Math.abs(numeric - analytic)).toBeLessThan(2e-3 + 2e-2 * Math.abs(analytic));
    }
    for (const g of grads) g.dispose();
    adapter.dispose();
  });

  it('a NaN loss is a NOT_FINITE error and leaves the adapter untouched', () => {
    const adapter = createLoraAdapter(model, { r: 2 }, Rng.fromSeed(7));
    const a = adapter.factors.values().next().value!.a;
    const before = Float32Array.from(a.dataSync());
    const poisoned = Float32Array.from(before);
    poisoned[0] = Number.NaN;
    a.assign(tf.tensor(poisoned, a.shape));
    const bNow = adapter.factors.values().next().value!.b;
    bNow.assign(tf.onesLike(bNow));
    const snapshot = adapter.variables().map((v) => Float32Array.from(v.dataSync()));
    expect(() => trainStep(model, adapter, batch, new Optimizer())).toThrow(
      expect.objectContaining({ code: 'NOT_FINITE' }),
    );
    adapter.variables().forEach((v, i) => {
      const now = v.dataSync();
      for (let k = 0; k < now.length; k++) expect(Object.is(now[k], snapshot[i]![k])).toBe(true);
    });
    adapter.dispose();
  });
});

describe('globalNorm', () => {
  const rng = Rng.fromSeed('global norm');
  const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const arrays = [values(30), values(7), new Float32Array(0), values(129)];
  const exact = Math.sqrt(arrays.reduce((s, a) => a.reduce((t, x) => t + x * x, s), 0));

  it('is the L2 norm of all the gradients together, empty ones included', () => {
    const grads = arrays.map((a) => tf.tensor1d(a));
    expect(Math.abs(globalNorm(grads) / exact - 1)).toBeLessThan(1e-6);
    tf.dispose(grads);
  });

  it('gives the same norm without the fused kernel', () => {
    const grads = arrays.map((a) => tf.tensor1d(a));
    const config = tf.getKernel(SUM_SQUARES_KERNEL, tf.getBackend());
    if (config) tf.unregisterKernel(SUM_SQUARES_KERNEL, config.backendName);
    const opByOp = globalNorm(grads);
    if (config) tf.registerKernel(config);
    expect(Math.abs(globalNorm(grads) / opByOp - 1)).toBeLessThan(1e-6);
    tf.dispose(grads);
  });
});

describe('causalLmLoss on rows of very different lengths', () => {
  const model = createTinyModel(12);
  afterAll(() => model.dispose());
  // One 60-token row and seven 4-token rows: the length groups run them in two passes.
  const T = 60;
  const rng = Rng.fromSeed(13);
  const inputIds = Int32Array.from({ length: 8 * T }, () => 3 + rng.int(29));
  const labels = new Int32Array(8 * T).fill(IGNORE_INDEX);
  for (let t = 50; t < T; t++) labels[t] = inputIds[t] as number;
  for (let b = 1; b < 8; b++) for (let t = 2; t < 4; t++) labels[b * T + t] = inputIds[b * T + t] as number;
  const mixed: TokenBatch = { batchSize: 8, seqLen: T, inputIds, labels };
  const adapter = createLoraAdapter(
    model,
    { r: 2, targetModules: 'all-linear', initLoraWeights: false },
    Rng.fromSeed(14),
  );
  afterAll(() => adapter.dispose());
  /** The reference: one pass over the padded batch. */
  const padded = () =>
    tf.tidy(() => {
      const { rows, targets } = lossTargets(mixed);
      const hidden = model.hidden(tf.tensor2d(inputIds, [8, T], 'int32'), { adapters: [adapter] });
      return crossEntropy(model.project(gatherRows(hidden, rows)), targets);
    });

  it('runs the short rows and the long row in separate passes, each at its own width', () => {
    const hidden = vi.spyOn(model, 'hidden');
    tf.tidy(() => causalLmLoss(model, mixed, { adapters: [adapter] }));
    expect(hidden.mock.calls.map(([ids]) => ids.shape)).toEqual([
      [7, 4],
      [1, 60],
    ]);
    hidden.mockRestore();
  });

  it('gives the loss and gradients of one padded pass', () => {
    const vars = adapter.variables();
    const grouped = valueAndGradients(() => causalLmLoss(model, mixed, { adapters: [adapter] }), vars);
    const reference = valueAndGradients(padded, vars);
    expect(grouped.loss).toBeCloseTo(reference.loss, 5);
    for (const [i, g] of grouped.grads.entries()) {
      expect(g).toBeAllClose(reference.grads[i]!.dataSync() as Float32Array, { atol: 1e-6, rtol: 1e-4 });
    }
    for (const g of [...grouped.grads, ...reference.grads]) g.dispose();
  });

  it('leaks no tensors', async () => {
    await expectNoTensorLeak(tf, () => {
      const { grads } = valueAndGradients(
        () => causalLmLoss(model, mixed, { adapters: [adapter] }),
        adapter.variables(),
      );
      for (const g of grads) g.dispose();
    });
  });
});
