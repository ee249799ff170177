import { describe, expect, it } from 'vitest';
import { median, type Throughput } from './measure-engine.ts';
import { ratios } from './report.ts';

const figures = (trainTokensPerS: number): Throughput => ({
  threads: 1,
  trainStep: { msMedian: 1, msMin: 1 },
  forward: { msMedian: 1, msMin: 1 },
  baseForward: { msMedian: 1, msMin: 1 },
  trainTokensPerS,
  forwardTokensPerS: 100,
  baseForwardTokensPerS: 100,
  achievedGflops: 1,
  lossFirst: 1,
  lossLast: 1,
});

describe('ratios', () => {
  it('divides meta-lora throughput by torch throughput', () => {
    expect(ratios(figures(1000), figures(4000))?.train).toBe(0.25);
  });

  it('is null when the reference did not run', () => {
    expect(ratios(figures(1000), null)).toBeNull();
  });
});

describe('median', () => {
  it('averages the middle two of an even count, as statistics.median does', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
