import { Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { ExclusionMatcher } from './exclusion.ts';

describe('ExclusionMatcher', () => {
  it('finds a pattern anywhere, including at the ends', () => {
    const m = new ExclusionMatcher(['the cat sat', 'dog']);
    expect([m.matches('the cat sat'), m.matches('so the cat sat.'), m.matches('hotdog'), m.matches('the cat')]).toEqual(
      [true, true, true, false],
    );
  });

  it('matches nothing when given no (or only empty) patterns', () => {
    expect(new ExclusionMatcher(['']).matches('anything')).toBe(false);
  });

  it('agrees with String.includes on random texts and patterns', () => {
    const rng = Rng.fromSeed(11);
    const alphabet = 'abé你🙂 ';
    const word = (n: number) => Array.from({ length: n }, () => alphabet[rng.int(alphabet.length)]).join('');
    for (let trial = 0; trial < 200; trial++) {
      const patterns = Array.from({ length: 1 + rng.int(4) }, () => word(1 + rng.int(6)));
      const text = word(rng.int(40));
      const expected = patterns.some((p) => text.includes(p));
      expect(new ExclusionMatcher(patterns).matches(text)).toBe(expected);
    }
  });
});
