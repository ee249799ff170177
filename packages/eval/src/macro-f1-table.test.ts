import { describe, expect, it } from 'vitest';
import { macroF1Table } from './macro-f1-table.ts';
import { syntheticRows } from './test-results.ts';

describe('macroF1Table', () => {
  const table = macroF1Table(syntheticRows());

  it('averages macro-F1 over classification tasks, mean ± std over seeds, per method and k', () => {
    // task-a is the one classification task: macro-F1 = score − 1, seeds 0 and 1 two points apart.
    expect(table?.rows).toContainEqual(['MeTA-LoRA shared + stage-1 adaptation, k = 8', '1', '2', '65.0 ± 1.4']);
    expect(table?.rows).toContainEqual(['Base, zero-shot', '1', '2', '20.0 ± 1.4']);
  });

  it('lists the methods in method order, k ascending', () => {
    const labels = table?.rows.map((r) => r[0]) ?? [];
    expect(labels.indexOf('Base, zero-shot')).toBe(0);
    expect(labels.indexOf('MeTA-LoRA shared, k = 4')).toBeLessThan(labels.indexOf('MeTA-LoRA shared, k = 8'));
    expect(labels).toHaveLength(3 + 4 * 2);
  });

  it('is absent when no row has macro-F1', () => {
    expect(macroF1Table(syntheticRows().filter((r) => r.taskType !== 'classification'))).toBeNull();
  });
});
