import { describe, expect, it } from 'vitest';
import { familyTable } from './family-table.ts';
import type { EvalResultRow } from './results-artifact.ts';
import { summarizeResults } from './summarize.ts';
import { syntheticCells, syntheticRows } from './test-results.ts';

/** The synthetic rows with each task in two languages: family `task-a` holds task-a.en and task-a.fr (10 points more). */
function bilingual(): EvalResultRow[] {
  return syntheticRows().flatMap((r) => [
    { ...r, taskId: `${r.taskId}.en`, family: r.taskId },
    { ...r, taskId: `${r.taskId}.fr`, family: r.taskId, score: r.score + 10 },
  ]);
}

describe('familyTable', () => {
  it('averages each family over its tasks, per method and k, with the macro average over all tasks', () => {
    const rows = bilingual();
    const table = familyTable(summarizeResults(rows), rows)!;
    expect(table.header).toEqual(['Method', 'task-a (2 tasks)', 'task-b (2 tasks)', 'Mean']);
    // MeTA-LoRA adapted at k = 4: task-a 60 + 1 (seed mean) + 5 (the two languages), task-b 10 more.
    expect(table.rows).toContainEqual(['MeTA-LoRA shared + stage-1 adaptation, k = 4', '66.0', '76.0', '71.0']);
  });

  it('gives each family the mean majority-class rate of its classification tasks', () => {
    const rows = bilingual();
    const table = familyTable(summarizeResults(rows, { cells: syntheticCells(rows) }), rows)!;
    expect(table.rows.at(-1)).toEqual(['Majority class (test labels)', '64.0', '—', '—']);
  });

  it('shows — for a family a method lacks a task of', () => {
    const rows = bilingual().filter((r) => !(r.method === 'base-zero-shot' && r.taskId === 'task-b.fr'));
    const row = familyTable(summarizeResults(rows), rows)!.rows.find((r) => r[0] === 'Base, zero-shot');
    expect(row).toEqual(['Base, zero-shot', '26.0', '—', '—']);
  });

  it('is left out when no family has more than one task', () => {
    const rows = syntheticRows();
    expect(familyTable(summarizeResults(rows), rows)).toBeNull();
  });
});
