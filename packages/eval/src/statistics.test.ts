import { describe, expect, it } from 'vitest';
import { mean, pairedComparison, sampleStd, signTestP } from './statistics.ts';

describe('mean and sampleStd', () => {
  it('uses n − 1 for the standard deviation', () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    // Sum of squared deviations 32, n − 1 = 7.
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('is 0 for one seed', () => {
    expect(sampleStd([0.7])).toBe(0);
  });
});

describe('signTestP', () => {
  it('matches the binomial by hand', () => {
    expect(signTestP(5, 0)).toBeCloseTo(2 / 32, 12);
    // n = 10, k = 2: (1 + 10 + 45) / 1024, doubled.
    expect(signTestP(8, 2)).toBeCloseTo((2 * 56) / 1024, 12);
    expect(signTestP(3, 3)).toBe(1);
  });

  it('stays finite for large n', () => {
    expect(signTestP(600, 400)).toBeGreaterThan(0);
    expect(signTestP(600, 400)).toBeLessThan(1e-9);
  });
});

describe('pairedComparison', () => {
  it('drops ties from the sign test but keeps them in the mean difference', () => {
    const c = pairedComparison([0.9, 0.8, 0.7], [0.5, 0.6, 0.7]);
    expect(c.meanDifference).toBeCloseTo(0.2, 12);
    expect([c.wins, c.losses, c.ties]).toEqual([2, 0, 1]);
    expect(c.signTestP).toBe(0.5);
  });
});
