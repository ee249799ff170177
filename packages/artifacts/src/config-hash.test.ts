import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash } from './config-hash.ts';

describe('configHash', () => {
  it('ignores key order', () => {
    expect(configHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(configHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  });
  it('changes when a value changes', () => {
    expect(configHash({ k: 16 })).not.toBe(configHash({ k: 17 }));
  });
  it('drops undefined members as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
  it('refuses non-finite numbers', () => {
    expect(() => configHash({ lr: Number.NaN })).toThrow(/\$\.lr cannot be hashed/);
  });
  it('refuses a non-finite value in a float32 vector, naming its index', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => configHash({ values: Float32Array.of(1, -2, bad, 4) })).toThrow(/\$\.values\[2\] cannot be hashed/);
    }
    expect(configHash({ values: Float32Array.of(1, -3.4e38, 0) })).toMatch(/^[0-9a-f]{64}$/);
  });
});
