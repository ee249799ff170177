import { Rng } from '@meta-lora/artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { combineAdapters, createLoraAdapter, matchTargetModules, meanAdapters } from './lora-adapter.ts';

await initBackend({ quiet: true });

const modules = ['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.0.mlp.down_proj'];

describe('matchTargetModules', () => {
  it('matches names as suffixes of the module path', () => {
    expect(matchTargetModules(['q_proj', 'mlp.down_proj'], modules)).toEqual([modules[0], modules[2]]);
  });
  it('matches a regex string against the whole path', () => {
    expect(matchTargetModules('.*\\.(q|v)_proj', modules)).toEqual([modules[0], modules[1]]);
  });
  it('takes every projection for all-linear', () => {
    expect(matchTargetModules('all-linear', modules)).toEqual(modules);
  });
  it('refuses a target that matches nothing, naming it', () => {
    expect(() => matchTargetModules(['qkv'], modules)).toThrow(/\["qkv"\] matched no module/);
  });
});

describe('createLoraAdapter', () => {
  const model = createTinyModel(31);
  afterAll(() => model.dispose());

  it('initialises B to zero and A within the Kaiming-uniform bound 1/sqrt(in)', () => {
    const adapter = createLoraAdapter(model, { r: 4 }, Rng.fromSeed(1));
    for (const f of adapter.factors.values()) {
      expect(Math.max(...f.b.dataSync())).toBe(0);
      expect(Math.max(...f.a.dataSync().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(16));
    }
    adapter.dispose();
  });

  it('is deterministic in the seed', () => {
    const a = createLoraAdapter(model, { r: 4 }, Rng.fromSeed(9));
    const b = createLoraAdapter(model, { r: 4 }, Rng.fromSeed(9));
    for (const [i, v] of a.variables().entries()) expect(v).toBeAllClose(b.variables()[i], { atol: 0, rtol: 0 });
    a.dispose();
    b.dispose();
  });

  it('refuses r = 0 naming the parameter and the value', () => {
    expect(() => createLoraAdapter(model, { r: 0 }, Rng.fromSeed(1))).toThrow(/`r` is invalid.*got 0/);
  });

  it('clones into independent variables', () => {
    const a = createLoraAdapter(model, { r: 2 }, Rng.fromSeed(2));
    const c = a.clone('copy');
    const f = c.factors.values().next().value!;
    f.b.assign(f.b.add(1));
    expect(Math.max(...a.factors.values().next().value!.b.dataSync())).toBe(0);
    a.dispose();
    c.dispose();
  });

  it('combines adapters factor by factor', () => {
    const a = createLoraAdapter(model, { r: 2, initLoraWeights: false }, Rng.fromSeed(3));
    const b = createLoraAdapter(model, { r: 2, initLoraWeights: false }, Rng.fromSeed(4));
    const mean = meanAdapters([a, b]);
    const manual = combineAdapters([a, b], [0.5, 0.5], 'manual');
    const key = 'model.layers.1.self_attn.v_proj';
    const expected = a.factors.get(key)!.a.add(b.factors.get(key)!.a).mul(0.5);
    expect(mean.factors.get(key)!.a).toBeAllClose(expected, { atol: 1e-7, rtol: 0 });
    expect(manual.factors.get(key)!.b).toBeAllClose(mean.factors.get(key)!.b, { atol: 0, rtol: 0 });
    for (const x of [a, b, mean, manual]) x.dispose();
  });
});
