import { describe, expect, it } from 'vitest';
import { compareAllClose } from './all-close.ts';

describe('compareAllClose', () => {
  it('passes within tolerance', () => {
    expect(compareAllClose([1, 2, 3], [1, 2, 3 + 1e-7]).pass).toBe(true);
  });
  it('fails beyond tolerance and reports the first mismatch with the max diff', () => {
    const report = compareAllClose([1, 2, 3], [1, 2.5, 3], { atol: 1e-3, rtol: 0 });
    expect(report.pass).toBe(false);
    expect(report.message).toContain('[1] actual 2 expected 2.5');
    expect(report.message).toContain('max abs diff 5.000e-1');
  });
  it('fails on a size mismatch', () => {
    expect(compareAllClose([1, 2], [1, 2, 3]).pass).toBe(false);
  });
  it('fails when actual is NaN and expected is finite', () => {
    expect(compareAllClose([Number.NaN], [1]).pass).toBe(false);
  });
});
