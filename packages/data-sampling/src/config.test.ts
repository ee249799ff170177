import { describe, expect, it } from 'vitest';
import { DataConfigSchema, dataSuite, parseDataConfig } from './config.ts';

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

describe('defaults fitted to a user dataset', () => {
  it('reads `paths` as suite `user` when no suite is given', () => {
    expect(dataSuite(parseDataConfig({ paths: ['mine.jsonl'] }))).toBe('user');
    expect(dataSuite(parseDataConfig({}))).toBe('multitask');
  });

  it('still refuses `paths` with an explicit built-in suite', () => {
    expect(() => parseDataConfig({ suite: 'multitask', paths: ['mine.jsonl'] })).toThrow(/`suite`/);
  });
});
