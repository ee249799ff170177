import { describe, expect, it } from 'vitest';
import { assertSupportedAlgorithm, parseMetaConfig } from './config.ts';

describe('parseMetaConfig', () => {
  it('fills every default, nested sections included', () => {
    const config = parseMetaConfig({});
    expect([config.algorithm, config.aggregation, config.metaOptimizer, config.metaLr]).toEqual([
      'fomaml',
      'mean',
      'adam',
      1e-3,
    ]);
    expect([config.adapt.innerSteps, config.adapt.innerOptimizer, config.lora.r, config.baselines.steps]).toEqual([
      3,
      'sgd',
      8,
      null,
    ]);
    expect([config.baselines.epochs, config.baselines.lr, config.baselines.patience, config.metaGrid]).toEqual([
      2,
      [3e-4, 1e-3, 3e-3],
      5,
      [],
    ]);
  });

  it('refuses an unknown algorithm, listing the accepted ones', () => {
    expect(() => parseMetaConfig({ algorithm: 'protonet' })).toThrowError(/`meta.algorithm`.*"fomaml".*"reptile"/);
  });

  it('refuses second-order maml, saying why and what to use', () => {
    expect(() => parseMetaConfig({ algorithm: 'maml' })).toThrowError(
      /cannot differentiate through the inner loop[\s\S]*fix: use `fomaml`/,
    );
  });

  it('refuses maml in a config validated elsewhere (metaTrain checks again)', () => {
    const config = { ...parseMetaConfig({}), algorithm: 'maml' as const };
    expect(() => assertSupportedAlgorithm(config)).toThrowError(/second-order `maml`/);
  });

  it('refuses innerLr ≤ 0 in the adapt section, naming the nested field', () => {
    expect(() => parseMetaConfig({ adapt: { innerLr: 0 } })).toThrowError(/`meta.adapt.innerLr`.*got 0/);
  });

  it('refuses unknown keys', () => {
    expect(() => parseMetaConfig({ metaLR: 1 })).toThrowError(/metaLR/);
  });
});
