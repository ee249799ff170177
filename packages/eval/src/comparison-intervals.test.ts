import { MetaLoraError } from '@meta-lora/artifacts';
import { thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { comparisonIntervals } from './comparison-intervals.ts';
import { syntheticExamples, syntheticRows } from './test-results.ts';

const rows = syntheticRows();
const vsFull = { reference: 'meta-lora-adapted', k: 4, baseline: 'multi-task-lora-full' } as const;

describe('comparisonIntervals', () => {
  it('pairs the reference at k with the baseline over tasks and seeds', () => {
    // Adapted at k = 4 scores 60 / 62 (task-a) and 70 / 72 (task-b); full-data multi-task 75 / 77 and 85 / 87.
    const [ci] = comparisonIntervals([vsFull], rows, syntheticExamples(), { replicates: 100 });
    expect(ci!.observed).toBeCloseTo(-15, 12);
  });

  it('gives no interval when a cell has no per-example results', () => {
    const examples = syntheticExamples().filter((e) => !(e.method === 'multi-task-lora-full' && e.seed === 1));
    expect(comparisonIntervals([vsFull], rows, examples)).toEqual([null]);
  });

  it('refuses methods scored on different test examples', () => {
    const examples = syntheticExamples().map((e) =>
      e.method === 'multi-task-lora-full' && e.exampleIndex === 0 ? { ...e, exampleId: 'other' } : e,
    );
    const error = thrownBy(() => comparisonIntervals([vsFull], rows, examples, { replicates: 10 }), MetaLoraError);
    expect(error.code).toBe('DATA_INVALID');
  });
});
