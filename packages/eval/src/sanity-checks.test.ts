import { describe, expect, it } from 'vitest';
import type { EvalCellRow } from './cells-artifact.ts';
import {
  adaptationLowersSupportLoss,
  beatsMajorityClass,
  isFlagged,
  lossFalls,
  metaQueryLossFalls,
  type SanityRun,
  sanityChecks,
} from './sanity-checks.ts';
import { syntheticRows } from './test-results.ts';

const log = (losses: number[]) => losses.map((queryLossAfter, i) => ({ iteration: i, queryLossAfter }));

describe('lossFalls', () => {
  it.each([
    [1.9, true],
    [2.3, false], // flat
    [2.4, false], // rises
    [Number.NaN, false], // diverged
  ])('passes a loss of 2.3 that ends at %d: %s', (last, passed) => {
    expect(lossFalls(2.3, last).passed).toBe(passed);
  });
});

describe('metaQueryLossFalls', () => {
  it('compares the means of the first and last 10 % of iterations, in iteration order', () => {
    // 20 iterations: windows of 2. First (3 + 3) / 2 = 3, last (1 + 2) / 2 = 1.5; logged out of order.
    const losses = [3, 3, ...Array(16).fill(2.5), 1, 2];
    const out = metaQueryLossFalls(log(losses).reverse());
    expect(out.passed).toBe(true);
    expect(out.detail).toBe('3.000 → 1.500 (first / last 2 of 20 iterations)');
  });

  it('fails a query loss that ends higher than it started, memorisation aside', () => {
    expect(metaQueryLossFalls(log([2, 1, 0.5, 3])).passed).toBe(false);
  });

  it('cannot check an empty log', () => {
    expect(metaQueryLossFalls([]).passed).toBeNull();
  });
});

describe('beatsMajorityClass', () => {
  // at or below the majority-class rate fails
  it.each([
    [41, 59, false],
    [64, 64, false],
    [80, 64, true],
  ])('passes a score of %d %% against a majority class of %d %%: %s', (score, majority, passed) => {
    expect(beatsMajorityClass(score, majority).passed).toBe(passed);
  });
});

describe('adaptationLowersSupportLoss', () => {
  it('fails an adaptation that raises the support loss', () => {
    const row = { taskId: 'country-capital', examples: 16, supportLossBefore: 3.75, supportLossAfter: 3.95 };
    expect(adaptationLowersSupportLoss(row)).toEqual({ passed: false, detail: '3.750 → 3.950' });
  });
});

describe('sanityChecks', () => {
  const run: SanityRun = {
    k: 4,
    seed: 0,
    baselines: [
      { method: 'single-task', taskId: 'task-a', lossFirst: 3, lossLast: 1 },
      { method: 'multi-task-pool', taskId: '*', lossFirst: 3, lossLast: 3.5 },
    ],
    metaIterations: log([3, 2, 1]),
    adaptation: [{ taskId: 'task-b', examples: 4, supportLossBefore: 2, supportLossAfter: 2.5 }],
  };
  // task-a is the classification task of the synthetic rows; single-task LoRA scores 70 and 72 on it.
  const cells: EvalCellRow[] = [0, 1].map((seed) => ({
    method: 'single-task-lora',
    taskId: 'task-a',
    seed,
    majorityClassRate: 71,
  }));
  const checks = sanityChecks([run], syntheticRows(), cells);

  it('lists every check of the run, and majority checks per seed of single-task LoRA', () => {
    expect(checks.map((c) => [c.check, c.k, c.seed, c.taskId, c.passed])).toEqual([
      ['beats-majority-class', undefined, 0, 'task-a', false],
      ['beats-majority-class', undefined, 1, 'task-a', true],
      ['train-loss-falls', 4, 0, '*', false],
      ['train-loss-falls', 4, 0, '*', true],
      ['train-loss-falls', 4, 0, 'task-a', true],
      ['adaptation-lowers-support-loss', 4, 0, 'task-b', false],
    ]);
  });

  it('flags the cells of failed checks only', () => {
    expect(isFlagged(checks, 'multi-task-lora-k-shot', 4, 'task-b')).toBe(true);
    expect(isFlagged(checks, 'multi-task-lora-k-shot', 8, 'task-b')).toBe(false);
    expect(isFlagged(checks, 'meta-lora-adapted', 4, 'task-b')).toBe(true);
    expect(isFlagged(checks, 'meta-lora-adapted', 4, 'task-a')).toBe(false);
    expect(isFlagged(checks, 'single-task-lora', undefined, 'task-a')).toBe(true);
    expect(isFlagged(checks, 'meta-lora-shared', 4, 'task-a')).toBe(false);
  });

  it('marks missing records as not applicable, never as failed', () => {
    const old = sanityChecks([{ k: 4, seed: 0 }], syntheticRows(), undefined);
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((c) => c.passed === null)).toBe(true);
  });
});
