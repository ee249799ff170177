import { describe, expect, it } from 'vitest';
import { trackDev } from './dev-tracker.ts';
import { metaTrainState } from './test-fixtures.ts';

const start = metaTrainState();

describe('trackDev', () => {
  it('keeps the lowest loss, resets patience on a new best and stops after `patience` evaluations without one', () => {
    let state = start;
    const seen: boolean[] = [];
    for (const [i, loss] of [3, 2, 2.5, 1.9, 2, 2.1].entries()) {
      const t = trackDev(state, loss, i, 2);
      state = t.state;
      seen.push(t.improved);
    }
    expect(seen).toEqual([true, true, false, true, false, false]);
    expect(state).toMatchObject({ bestDevLoss: 1.9, bestIteration: 3, evalsWithoutImprovement: 2, stoppedEarly: true });
  });

  it('never stops with patience 0', () => {
    let state = start;
    for (const [i, loss] of [1, 2, 3, 4].entries()) state = trackDev(state, loss, i, 0).state;
    expect(state.stoppedEarly).toBe(false);
  });
});
