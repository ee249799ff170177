import { Rng } from '@meta-lora/artifacts';
import {
  causalLmLoss,
  initBackend,
  LlamaModel,
  parseModelConfig,
  randomWeights,
  tf,
  valueAndGradients,
} from '@meta-lora/lora-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataParallel, splitBatch } from './data-parallel.ts';
import { hfModelConfig } from './pretrain-config.ts';
import { tinyPretrainConfig } from './tiny-pretrain.ts';
import { randomWindows } from './windows.ts';

const { model: modelConfig } = tinyPretrainConfig();
const hfConfig = hfModelConfig(modelConfig, { bosTokenId: 0, eosTokenId: 0, padTokenId: 1 });
const rng = Rng.fromSeed(5);
const stream = Uint16Array.from({ length: 2000 }, () => 2 + rng.int(62));
// 5 windows: the shares of 2 workers are unequal (3 and 2), so the token weighting matters.
const batch = randomWindows(stream, 5, 17, Rng.fromSeed(1));

let model: LlamaModel;
let parallel: DataParallel;

beforeAll(async () => {
  await initBackend({ quiet: true });
  const config = parseModelConfig(hfConfig, 'test');
  model = LlamaModel.fromTensors(config, randomWeights(config, Rng.fromSeed(2)), 'test', { trainable: true });
  parallel = await DataParallel.start(model, hfConfig, 2);
});

afterAll(async () => {
  await parallel?.close();
  model?.dispose();
});

describe('splitBatch', () => {
  it('cuts whole windows into contiguous shares, the first shares taking the extra windows', () => {
    const shares = splitBatch(batch, 2);
    expect(shares.map((s) => s.batchSize)).toEqual([3, 2]);
    expect([...shares[0]!.inputIds, ...shares[1]!.inputIds]).toEqual([...batch.inputIds]);
    expect(() => splitBatch(batch, 6)).toThrow(/6 data-parallel workers for a batch of 5 windows/);
  });
});

describe('DataParallel', () => {
  it('gives the whole batch loss and gradients of one thread, up to float rounding', async () => {
    const variables = model.trainableVariables();
    const expected = valueAndGradients(() => causalLmLoss(model, batch), variables);
    const actual = await parallel.valueAndGradients(batch);
    expect(actual.loss).toBeCloseTo(expected.loss, 5);
    actual.grads.forEach((g, i) => {
      expect(g.shape).toEqual(variables[i]?.shape);
      expect(g).toBeAllClose(expected.grads[i] as tf.Tensor, { atol: 1e-6, rtol: 1e-4 });
    });
    for (const g of [...actual.grads, ...expected.grads]) g.dispose();
  });

  it('leaves no tensor behind once the caller disposes the gradients, and is deterministic', async () => {
    const before = tf.memory().numTensors;
    const first = await parallel.valueAndGradients(batch);
    const again = await parallel.valueAndGradients(batch);
    expect(again.loss).toBe(first.loss);
    expect([...(again.grads[0]?.dataSync() ?? [])]).toEqual([...(first.grads[0]?.dataSync() ?? [])]);
    for (const g of [...first.grads, ...again.grads]) g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
