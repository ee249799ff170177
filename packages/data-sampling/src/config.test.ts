import { describe, expect, it } from 'vitest';
import { DataConfigSchema, parseDataConfig } from './config.ts';

describe('data config', () => {
  it('fills nested defaults from an empty object', () => {
    expect(parseDataConfig({}).episodes.supportSize).toBe(8);
  });
  it('rejects unknown keys', () => {
    expect(() => parseDataConfig({ kk: 3 })).toThrow(/kk/);
  });
  it('rejects support + query larger than k', () => {
    expect(() => parseDataConfig({ k: 8, episodes: { supportSize: 5, querySize: 4 } })).toThrow(
      /episodes\.querySize.*≤ k/,
    );
  });
  it('describes every field', () => {
    const undescribed = Object.entries(DataConfigSchema.shape).filter(([, s]) => !s.description);
    expect(undescribed.map(([k]) => k)).toEqual([]);
  });
});
