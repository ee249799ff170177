import { Rng } from '@meta-lora/artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoraConfigInput } from '../lora/config.ts';
import { createLoraAdapter } from '../lora/lora-adapter.ts';
import { initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { hasFusedAttention } from './attention.ts';
import { KvCache } from './kv-cache.ts';
import { LlamaModel } from './llama-model.ts';
import { createTinyModel } from './tiny-model.ts';

await initBackend({ quiet: true });

const ids = () =>
  tf.tensor2d(
    [
      [3, 7, 1, 9, 4, 4],
      [5, 0, 2, 8, 11, 6],
    ],
    [2, 6],
    'int32',
  );

describe('LlamaModel', () => {
  const model = createTinyModel(1);
  afterAll(() => model.dispose());
  /** A rank-4 adapter with a random, non-zero B: it changes the outputs. */
  const nonZeroAdapter = (seed: number, targetModules: LoraConfigInput['targetModules'] = 'all-linear') =>
    createLoraAdapter(model, { r: 4, targetModules, initLoraWeights: false }, Rng.fromSeed(seed));

  it('a fresh adapter (B = 0) leaves the logits unchanged', () => {
    const adapter = createLoraAdapter(model, { r: 4, targetModules: 'all-linear' }, Rng.fromSeed(2));
    const x = ids();
    expect(model.logits(x, { adapters: [adapter] })).toBeAllClose(model.logits(x), { atol: 0, rtol: 0 });
    adapter.dispose();
  });

  it('merged and unmerged outputs agree', () => {
    const adapter = nonZeroAdapter(3);
    const x = ids();
    const unmerged = model.logits(x, { adapters: [adapter] });
    model.mergeAdapter(adapter);
    const merged = model.logits(x);
    model.unmergeAdapter(adapter);
    expect(merged).toBeAllClose(unmerged, { atol: 1e-5, rtol: 1e-5 });
    adapter.dispose();
  });

  it('merge then unmerge restores the base weights', () => {
    const adapter = nonZeroAdapter(4, ['q_proj', 'down_proj']);
    const q = model.linearModules().get('model.layers.0.self_attn.q_proj')!;
    const before = Float32Array.from(q.weight.dataSync());
    model.mergeAdapter(adapter);
    expect(q.weight).not.toBeAllClose(before, { atol: 1e-6, rtol: 0 });
    model.unmergeAdapter(adapter);
    expect(q.weight).toBeAllClose(before, { atol: 1e-6, rtol: 0 });
    adapter.dispose();
  });

  it('refuses an adapter that is merged and also passed to forward', () => {
    const adapter = createLoraAdapter(model, { r: 2 }, Rng.fromSeed(5));
    model.mergeAdapter(adapter);
    expect(() => model.logits(ids(), { adapters: [adapter] })).toThrow(/merged/);
    model.unmergeAdapter(adapter);
    adapter.dispose();
  });

  it('incremental decoding with a KV cache reproduces the full forward', () => {
    const adapter = nonZeroAdapter(6);
    const seq = [3, 7, 1, 9, 4, 4, 12, 30];
    const full = model.logits(tf.tensor2d([seq], [1, 8], 'int32'), { adapters: [adapter] }); // [1, 8, V]
    const cache = new KvCache(model.config.numLayers);
    const first = model.logits(tf.tensor2d([seq.slice(0, 5)], [1, 5], 'int32'), { adapters: [adapter], cache });
    const steps = [first];
    for (let t = 5; t < 8; t++) {
      steps.push(model.logits(tf.tensor2d([[seq[t] as number]], [1, 1], 'int32'), { adapters: [adapter], cache }));
    }
    expect(tf.concat(steps, 1)).toBeAllClose(full, { atol: 1e-5, rtol: 1e-5 });
    cache.dispose();
    adapter.dispose();
  });

  it.skipIf(!hasFusedAttention())(
    'the first call into an empty cache keeps the keys and values of the op-by-op block',
    () => {
      const fused = new KvCache(model.config.numLayers); // empty and unpadded: the fused kernel where the backend has it
      const opByOp = new KvCache(model.config.numLayers);
      opByOp.padding = [0, 0]; // padded rows always take the op-by-op block; no padding, so the same attention
      expect(model.hidden(ids(), { cache: fused })).toBeAllClose(model.hidden(ids(), { cache: opByOp }), {
        atol: 1e-5,
      });
      for (let l = 0; l < model.config.numLayers; l++) {
        expect(fused.keys[l]).toBeAllClose(opByOp.keys[l] as tf.Tensor, { atol: 1e-5 });
        expect(fused.values[l]).toBeAllClose(opByOp.values[l] as tf.Tensor, { atol: 1e-5 });
      }
      fused.dispose();
      opByOp.dispose();
    },
  );

  it.skipIf(!hasFusedAttention())('a first call into an empty cache under a gradient tape keeps its gradients', () => {
    const adapter = nonZeroAdapter(7, ['q_proj', 'k_proj']);
    const lossOf = (cache?: KvCache) => () =>
      tf.sum(model.hidden(ids(), cache ? { adapters: [adapter], cache } : { adapters: [adapter] })) as tf.Scalar;
    const cache = new KvCache(model.config.numLayers);
    const withCache = tf.variableGrads(lossOf(cache), adapter.variables());
    const without = tf.variableGrads(lossOf(), adapter.variables());
    for (const name of Object.keys(without.grads)) {
      expect(withCache.grads[name]).toBeAllClose(without.grads[name] as tf.Tensor, { atol: 1e-4 });
    }
    cache.dispose();
    adapter.dispose();
  });

  it('refuses sequences longer than max_position_embeddings', () => {
    const long = tf.zeros([1, 65], 'int32') as tf.Tensor2D;
    expect(() => model.logits(long)).toThrow(/exceeds the model's limit of 64/);
  });

  it('runs Qwen2 semantics (q/k/v biases) and the biases matter', () => {
    const qwen = createTinyModel(7, { model_type: 'qwen2' });
    expect(qwen.linearModules().get('model.layers.0.self_attn.q_proj')!.bias).not.toBeNull();
    expect(qwen.linearModules().get('model.layers.0.self_attn.o_proj')!.bias).toBeNull();
    qwen.dispose();
  });
});

describe('LlamaModel, full-weight training', () => {
  it('a trainable model exposes every base weight as a variable and its gradients flow', async () => {
    const { causalLmLoss } = await import('../train/loss.ts');
    const { valueAndGradients } = await import('../train/train-step.ts');
    const { parseModelConfig } = await import('./model-config.ts');
    const { randomWeights } = await import('./random-init.ts');
    const { TINY_MODEL_CONFIG } = await import('./tiny-model.ts');
    const config = parseModelConfig({ ...TINY_MODEL_CONFIG, tie_word_embeddings: true }, 'tiny');
    const m = LlamaModel.fromTensors(config, randomWeights(config, Rng.fromSeed(1), { std: 0.2 }), 'tiny', {
      trainable: true,
    });
    const vars = m.trainableVariables();
    expect(vars.length).toBe(m.namedWeights().size);
    const batch = {
      batchSize: 1,
      seqLen: 5,
      inputIds: Int32Array.from([1, 4, 2, 8, 3]),
      labels: Int32Array.from([1, 4, 2, 8, 3]),
    };
    const { grads } = valueAndGradients(() => causalLmLoss(m, batch), vars);
    for (const g of grads) expect(Math.max(...g.dataSync().map(Math.abs))).toBeGreaterThan(0);
    for (const g of grads) g.dispose();
    m.dispose();
  });
});
