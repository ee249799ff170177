import { describe, expect, it } from 'vitest';
import { learningRate, rampedLearningRate } from './lr-schedule.ts';

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

describe('learningRate with a warm restart', () => {
  const extended = { ...config, maxSteps: 210, restarts: [{ step: 110, lr: 5e-4, warmupSteps: 10 }] };

  it('keeps every rate before the restart exactly as the unextended schedule had it', () => {
    for (let s = 0; s < 110; s++) expect(learningRate(s, extended)).toBe(learningRate(s, config));
  });

  it('warms up from minLr to the restart lr, then decays by a cosine to minLr at the new maxSteps', () => {
    expect(learningRate(110, extended)).toBeCloseTo(1e-4 + 0.4e-4, 12);
    expect(learningRate(119, extended)).toBeCloseTo(5e-4, 12);
    expect(learningRate(165, extended)).toBeCloseTo(3e-4, 12);
    expect(learningRate(210, extended)).toBe(1e-4);
  });
});

describe('rampedLearningRate after an optimizer restart', () => {
  it('ramps linearly from the restart step to the schedule, then follows it', () => {
    const restarts = [{ step: 50, warmupSteps: 4 }];
    const ramp = [50, 51, 52, 53].map((s) => rampedLearningRate(s, config, restarts) / learningRate(s, config));
    expect(ramp.map((r) => Number(r.toFixed(12)))).toEqual([0.25, 0.5, 0.75, 1]);
    for (const s of [0, 20, 49, 54, 100]) expect(rampedLearningRate(s, config, restarts)).toBe(learningRate(s, config));
  });
});
