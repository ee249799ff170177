import { describe, expect, it } from 'vitest';
import { learningRate } from './lr-schedule.ts';

const config = { lr: 1e-3, minLr: 1e-4, warmupSteps: 10, maxSteps: 110 };

describe('learningRate', () => {
  it('rises linearly to lr over the warmup', () => {
    expect([0, 4, 9].map((s) => learningRate(s, config))).toEqual([1e-4, 5e-4, 1e-3]);
  });

  it('decays by a cosine to minLr, passing the midpoint halfway', () => {
    expect(learningRate(60, config)).toBeCloseTo(5.5e-4, 12);
    expect(learningRate(110, config)).toBe(1e-4);
    const decay = [10, 30, 50, 70, 90, 109].map((s) => learningRate(s, config));
    expect(decay.every((lr, i) => i === 0 || lr < (decay[i - 1] as number))).toBe(true);
  });
});
