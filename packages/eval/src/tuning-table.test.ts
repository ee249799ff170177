import { describe, expect, it } from 'vitest';
import { tuningTable } from './tuning-table.ts';

describe('tuningTable', () => {
  const metaTuning = [
    {
      candidate: 0,
      innerLr: 0.1,
      innerSteps: 3,
      metaLr: 0.001,
      iterations: 130,
      bestIteration: 69,
      bestDevLoss: 2.26,
      selected: true,
    },
    {
      candidate: 1,
      innerLr: 0.03,
      innerSteps: 5,
      metaLr: 0.001,
      iterations: 90,
      bestIteration: 29,
      bestDevLoss: 2.3,
      selected: false,
    },
  ];
  const baselines = [
    {
      method: 'single-task',
      taskId: 'spam',
      lr: 0.0003,
      steps: 500,
      bestStep: 450,
      devLossInitial: 7.9,
      devLossBest: 0.05,
    },
    {
      method: 'multi-task-pool',
      taskId: '*',
      lr: 0.001,
      steps: 100,
      bestStep: 100,
      devLossInitial: 6.5,
      devLossBest: 2.5,
    },
  ];

  it('lists every meta candidate, marking the selected one, and each baseline’s chosen learning rate', () => {
    const t = tuningTable([{ k: 16, seed: 0, metaTuning, baselines }]);
    expect(t.rows.map((r) => [r[2], r[4], r[7]])).toEqual([
      ['MeTA-LoRA', 'innerLr 0.1, innerSteps 3, metaLr 0.001', 'selected'],
      ['MeTA-LoRA', 'innerLr 0.03, innerSteps 5, metaLr 0.001', ''],
      ['single-task', 'lr 0.0003', 'selected'],
      ['multi-task-pool', 'lr 0.001', 'selected'],
    ]);
  });

  it('marks a checkpoint kept at the last step of its budget', () => {
    const t = tuningTable([{ k: 16, seed: 0, baselines }]);
    expect(t.rows.map((r) => r[5])).toEqual(['450 of 500', '100 of 100 (end of budget)']);
  });

  it('marks a MeTA-LoRA candidate kept at its last iteration (evaluated on dev whatever evalEvery)', () => {
    const ended = { ...metaTuning[1]!, iterations: 300, bestIteration: 299 };
    const t = tuningTable([{ k: 16, seed: 0, metaTuning: [metaTuning[0]!, ended] }]);
    expect(t.rows.map((r) => r[5])).toEqual(['70 of 130', '300 of 300 (end of budget)']);
  });
});
