import { describe, expect, it } from 'vitest';
import { jobOrder } from './task-runner.ts';
import type { TaskJob } from './task-update.ts';

const example = (tokens: number) => ({ promptIds: Array.from({ length: tokens - 1 }, () => 5), targetIds: [0] });
const job = (taskSlot: number, supportTokens: number, queryTokens: number): TaskJob => ({
  iteration: 0,
  taskSlot,
  task: { taskId: `t${taskSlot}`, support: [example(supportTokens)], query: [example(queryTokens)] },
  mode: 'query-gradient',
  rngState: [1, 2, 3, 4],
  configHash: 'c0ffee',
  seed: 0,
});

describe('jobOrder', () => {
  it('hands out the most expensive task first, weighting support tokens by the inner steps', () => {
    const jobs = [job(0, 10, 10), job(1, 40, 10), job(2, 10, 30), job(3, 5, 5)];
    // costs with 4 inner steps: 60, 180, 100, 30
    expect(jobOrder(jobs, 4)).toEqual([1, 2, 0, 3]);
    // with no inner steps only the query passes count: 20, 20, 60, 10
    expect(jobOrder(jobs, 0)).toEqual([2, 0, 1, 3]);
  });
});
