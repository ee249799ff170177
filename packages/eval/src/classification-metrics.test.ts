import { describe, expect, it } from 'vitest';
import { accuracy, macroF1, majorityClassRate } from './classification-metrics.ts';

describe('accuracy', () => {
  it('counts exact label agreement', () => {
    expect(accuracy(['a', 'b', 'a', 'c'], ['a', 'a', 'a', 'c'])).toBe(0.75);
  });

  it('refuses empty or unequal inputs', () => {
    expect(() => accuracy([], [])).toThrow(/non-zero/);
    expect(() => accuracy(['a'], ['a', 'b'])).toThrow(/got 1 and 2/);
  });
});

describe('macroF1', () => {
  it('matches a hand computation', () => {
    // gold a a b b c, pred a b b b a: F1(a) = 2·1/(2+1+1) = 1/2, F1(b) = 2·2/(4+1+0) = 4/5, F1(c) = 0.
    expect(macroF1(['a', 'b', 'b', 'b', 'a'], ['a', 'a', 'b', 'b', 'c'])).toBeCloseTo((0.5 + 0.8 + 0) / 3, 12);
  });

  it('differs from accuracy on an imbalanced set: always predicting the majority scores high accuracy, low F1', () => {
    const gold = ['a', 'a', 'a', 'b'];
    const pred = ['a', 'a', 'a', 'a'];
    expect(accuracy(pred, gold)).toBe(0.75);
    // F1(a) = 6/7, F1(b) = 0.
    expect(macroF1(pred, gold)).toBeCloseTo(3 / 7, 12);
  });
});

describe('majorityClassRate', () => {
  it('is the accuracy of always predicting the most frequent gold label', () => {
    const gold = ['pos', 'neg', 'neg', 'neg', 'pos'];
    expect(majorityClassRate(gold)).toBe(accuracy(Array(5).fill('neg'), gold));
    expect(majorityClassRate(gold)).toBe(0.6);
  });
});
