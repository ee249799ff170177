import { join } from 'node:path';
import { Rng } from '@meta-lora/artifacts';
import {
  createLoraAdapter,
  createTinyModel,
  initBackend,
  loadModel,
  saveModel,
  savePeftAdapter,
  tf,
} from '@meta-lora/lora-core';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';
import { findAdapters } from './export.ts';

await initBackend({ quiet: true });

describe('meta-lora export', () => {
  it('merges an adapter into a standalone model with the same logits as base + adapter', async () => {
    const dir = tempDir('export');
    const base = createTinyModel(5);
    await saveModel(base, join(dir, 'base'));
    const adapter = createLoraAdapter(
      base,
      { r: 2, targetModules: 'all-linear', initLoraWeights: false },
      Rng.fromSeed(1),
    );
    await savePeftAdapter(adapter, join(dir, 'run', 'train', 'adapters', 'shared'));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await main([
      'export',
      '--adapter',
      join(dir, 'run', 'train', 'adapters', 'shared'),
      '--merge',
      '--model',
      join(dir, 'base'),
      '--out',
      join(dir, 'merged'),
    ]);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const merged = await loadModel(join(dir, 'merged'));
    const ids = tf.tensor2d([[1, 4, 9, 3]], [1, 4], 'int32');
    expect(merged.model.logits(ids)).toBeAllClose(base.logits(ids, { adapters: [adapter] }), {
      atol: 1e-5,
      rtol: 1e-5,
    });
  });

  it('finds every adapter of a run directory, skipping checkpoints', async () => {
    const dir = tempDir('export-find');
    const model = createTinyModel(6);
    const adapter = createLoraAdapter(model, { r: 2 }, Rng.fromSeed(2));
    for (const rel of ['train/adapters/shared', 'adapt/plural', 'train/checkpoints/iter-000002/adapter']) {
      await savePeftAdapter(adapter, join(dir, rel));
    }
    expect(findAdapters(dir)).toEqual(['adapt/plural', 'train/adapters/shared']);
  });
});
