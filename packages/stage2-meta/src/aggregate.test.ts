import type { TaskUpdateRow } from '@meta-lora/stage1-adapt';
import { describe, expect, it } from 'vitest';
import { aggregationWeights, meanPairwiseCosine, metaGradient } from './aggregate.ts';

function row(values: number[], queryTargetTokens: number): TaskUpdateRow {
  return {
    iteration: 0,
    taskSlot: 0,
    taskId: 't',
    mode: 'query-gradient',
    queryLossBefore: 1,
    queryLossAfter: 1,
    supportLosses: [],
    supportExamples: 1,
    queryExamples: 1,
    supportTokens: 1,
    queryTokens: 1,
    queryTargetTokens,
    values: Float32Array.from(values),
  };
}

const rows = [row([1, 0], 1), row([0, 1], 3)];
const theta = Float32Array.of(2, 2);

describe('aggregation', () => {
  it('weights tasks by 1/n, 1, or their share of query target tokens', () => {
    expect(aggregationWeights(rows, 'mean')).toEqual([0.5, 0.5]);
    expect(aggregationWeights(rows, 'sum')).toEqual([1, 1]);
    expect(aggregationWeights(rows, 'tokens')).toEqual([0.25, 0.75]);
  });

  it('fomaml sums the weighted query gradients; reptile the weighted θ − θᵢ', () => {
    expect([...metaGradient(rows, theta, 'fomaml', 'tokens')]).toEqual([0.25, 0.75]);
    expect([...metaGradient(rows, theta, 'reptile', 'mean')]).toEqual([1.5, 1.5]);
  });

  it('reports the mean pairwise cosine of the task vectors, none for one task', () => {
    expect(meanPairwiseCosine([Float64Array.of(1, 0), Float64Array.of(0, 1), Float64Array.of(1, 0)])).toBeCloseTo(
      1 / 3,
    );
    expect(meanPairwiseCosine([Float64Array.of(1, 0)])).toBeNull();
  });

  it('takes the cosine over every element of long vectors', () => {
    const a = Float32Array.from({ length: 11 }, (_, j) => j + 1);
    const b = Float32Array.from(a, (x, j) => (j === 10 ? -x : x)); // only the last element differs
    const dot = 385; // Σ j² for j = 1…10
    expect(meanPairwiseCosine([a, b])).toBeCloseTo((dot - 121) / (dot + 121), 12);
  });

  it('refuses a row whose vector does not fit the adapter', () => {
    expect(() => metaGradient([row([1], 1)], theta, 'fomaml', 'mean')).toThrowError(/1 values for an adapter of 2/);
  });
});
