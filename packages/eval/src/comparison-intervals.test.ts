import { MetaLoraError } from '@meta-lora/artifacts';
import { thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { comparisonIntervals, crossIntervals } from './comparison-intervals.ts';
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

describe('crossIntervals', () => {
  const adapted = { method: 'meta-lora-adapted', k: 4 } as const;
  /** The synthetic results with MeTA-LoRA adapted 5 points higher on every task and seed. */
  const shifted = rows.map((r) => (r.method === 'meta-lora-adapted' ? { ...r, score: r.score + 5 } : r));

  it('pairs a method of one study with a method of another', () => {
    const [ci] = crossIntervals(
      [{ a: adapted, b: adapted }],
      { rows: shifted, examples: syntheticExamples(shifted) },
      { rows, examples: syntheticExamples() },
      { replicates: 100 },
    );
    expect(ci!.observed).toBeCloseTo(5, 12);
    expect(ci!.low).toBeGreaterThan(0);
  });

  it('is comparisonIntervals when both sides are one study', () => {
    const side = { rows, examples: syntheticExamples() };
    const full = { method: 'multi-task-lora-full' } as const;
    expect(crossIntervals([{ a: adapted, b: full }], side, side, { replicates: 100 })).toEqual(
      comparisonIntervals([vsFull], rows, syntheticExamples(), { replicates: 100 }),
    );
  });

  it('refuses studies scored on different test examples', () => {
    const other = syntheticExamples().map((e) => ({ ...e, exampleId: `other-${e.exampleId}` }));
    const error = thrownBy(
      () =>
        crossIntervals(
          [{ a: adapted, b: adapted }],
          { rows, examples: syntheticExamples() },
          { rows, examples: other },
          {
            replicates: 10,
          },
        ),
      MetaLoraError,
    );
    expect(error.code).toBe('DATA_INVALID');
  });
});
