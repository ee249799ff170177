import { Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { parseModelConfig } from './model-config.ts';
import { modelWeights, type TensorData } from './model-weights.ts';
import { randomWeights } from './random-init.ts';
import { TINY_MODEL_CONFIG } from './tiny-model.ts';

await initBackend({ quiet: true });
const config = parseModelConfig(TINY_MODEL_CONFIG, 'tiny-model');
const checkpoint = () => new Map<string, TensorData>(randomWeights(config, Rng.fromSeed(0), { std: 0.2 }));
const last = `model.layers.${config.numLayers - 1}.mlp.down_proj.weight`;

describe('modelWeights on a checkpoint that does not fit', () => {
  it.each([
    ['an unexpected tensor', 'CHECKPOINT_INVALID', (m: Map<string, TensorData>) => m.set('extra.weight', m.get(last)!)],
    [
      'a wrong shape in the last layer',
      'SHAPE_MISMATCH',
      (m: Map<string, TensorData>) => m.set(last, { shape: [1, 1], data: new Float32Array(1) }),
    ],
  ])('%s: throws %s and disposes the tensors it built', (_, code, spoil) => {
    for (const trainable of [false, true]) {
      const tensors = checkpoint();
      spoil(tensors);
      const before = tf.memory().numTensors;
      expect(() => modelWeights(config, tensors, 'ckpt', { trainable })).toThrow(expect.objectContaining({ code }));
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
