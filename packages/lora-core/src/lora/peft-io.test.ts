import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@meta-lora/artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../io/safetensors.ts';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { createLoraAdapter } from './lora-adapter.ts';
import { loadPeftAdapter, savePeftAdapter } from './peft-io.ts';

await initBackend({ quiet: true });

describe('PEFT adapter files', () => {
  const model = createTinyModel(21);
  const dir = mkdtempSync(join(tmpdir(), 'peft-'));
  afterAll(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const ids = tf.tensor2d([[1, 5, 9, 2, 3]], [1, 5], 'int32');

  it('a saved-then-loaded adapter gives identical logits', async () => {
    const adapter = createLoraAdapter(
      model,
      { r: 4, loraAlpha: 16, targetModules: 'all-linear', initLoraWeights: false },
      Rng.fromSeed(1),
    );
    await savePeftAdapter(adapter, join(dir, 'a'));
    const loaded = loadPeftAdapter(join(dir, 'a'), model);
    expect(model.logits(ids, { adapters: [loaded] })).toBeAllClose(model.logits(ids, { adapters: [adapter] }), {
      atol: 0,
      rtol: 0,
    });
    adapter.dispose();
    loaded.dispose();
  });

  it("writes PEFT's key names, shapes and config fields", async () => {
    const adapter = createLoraAdapter(
      model,
      { r: 4, loraAlpha: 8, targetModules: ['q_proj', 'v_proj'], useRslora: true },
      Rng.fromSeed(2),
    );
    await savePeftAdapter(adapter, join(dir, 'b'), { baseModelNameOrPath: 'tiny' });
    const file = readSafetensors(join(dir, 'b', 'adapter_model.safetensors'));
    expect(file.metadata.format).toBe('pt');
    expect(file.tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')?.shape).toEqual([4, 16]);
    expect(file.tensors.get('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight')?.shape).toEqual([8, 4]);
    expect(file.tensors.size).toBe(2 * 2 * 2);
    const config = JSON.parse(readFileSync(join(dir, 'b', 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 4,
      lora_alpha: 8,
      use_rslora: true,
      target_modules: ['q_proj', 'v_proj'],
      base_model_name_or_path: 'tiny',
    });
    adapter.dispose();
  });

  it('refuses an adapter trained for another base model, naming the tensor', async () => {
    const other = createTinyModel(22, { hidden_size: 24, intermediate_size: 48 });
    const adapter = createLoraAdapter(other, { r: 2 }, Rng.fromSeed(3));
    await savePeftAdapter(adapter, join(dir, 'c'));
    expect(() => loadPeftAdapter(join(dir, 'c'), model)).toThrow(/q_proj\.lora_A\.weight has shape \[2, 24\]/);
    adapter.dispose();
    other.dispose();
  });

  it('refuses PEFT features it does not implement (DoRA)', async () => {
    const adapter = createLoraAdapter(model, { r: 2 }, Rng.fromSeed(4));
    await savePeftAdapter(adapter, join(dir, 'd'));
    const path = join(dir, 'd', 'adapter_config.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), use_dora: true }));
    expect(() => loadPeftAdapter(join(dir, 'd'), model)).toThrow(/use_dora/);
    adapter.dispose();
  });
});

describe('loadPeftAdapter memory', () => {
  it('leaves only the adapter variables behind', async () => {
    const model = createTinyModel(23);
    const dir = mkdtempSync(join(tmpdir(), 'peft-leak-'));
    const adapter = createLoraAdapter(model, { r: 2, targetModules: 'all-linear' }, Rng.fromSeed(1));
    await savePeftAdapter(adapter, dir);
    const before = tf.memory().numTensors;
    const loaded = loadPeftAdapter(dir, model);
    expect(tf.memory().numTensors - before).toBe(loaded.variables().length);
    loaded.dispose();
    adapter.dispose();
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
});
