import { describe, expect, it } from 'vitest';
import { normalizeText, truncateText } from './normalize.ts';

describe('normalizeText', () => {
  it('maps case, punctuation and whitespace variants to one key', () => {
    expect(normalizeText('Great  movie!!')).toBe(normalizeText('great movie.'));
  });
  it('keeps different words apart', () => {
    expect(normalizeText('great movie')).not.toBe(normalizeText('grate movie'));
  });
});

describe('truncateText', () => {
  it('never exceeds the cap', () => {
    expect(truncateText('a'.repeat(10) + ' b'.repeat(300), 256).length).toBeLessThanOrEqual(256);
  });
});
