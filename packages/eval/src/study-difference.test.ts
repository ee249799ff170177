import { describe, expect, it } from 'vitest';
import type { Method } from './conditions.ts';
import type { EvalResultRow } from './results-artifact.ts';
import { studyDifferences, studyDifferenceTable } from './study-difference.ts';
import { syntheticExamples, syntheticRows } from './test-results.ts';

/** The study followed: every synthetic method. */
const there = { rows: syntheticRows(), examples: syntheticExamples() };

/** A follow-up that reran zero-shot and the k-shot methods at k = 4; MeTA-LoRA adapted gains 3 (seed 0) and 4 (seed 1). */
function followUp(rows: EvalResultRow[] = syntheticRows()) {
  const rerun: Method[] = ['base-zero-shot', 'multi-task-lora-k-shot', 'meta-lora-shared', 'meta-lora-adapted'];
  const here = rows
    .filter((r) => rerun.includes(r.method) && (r.k === undefined || r.k === 4))
    .map((r) => (r.method === 'meta-lora-adapted' ? { ...r, score: r.score + 3 + r.seed } : r));
  return { rows: here, examples: syntheticExamples(here) };
}

const find = (d: ReturnType<typeof studyDifferences>, reference: Method, baseline: Method) =>
  d.differences.find((c) => c.reference === reference && c.baseline === baseline);

describe('studyDifferences', () => {
  it('gives each method minus itself in the other study, at each seed and with an interval', () => {
    const d = studyDifferences(followUp(), there, { replicates: 200 });
    const adapted = find(d, 'meta-lora-adapted', 'meta-lora-adapted');
    expect(adapted?.k).toBe(4);
    expect(adapted?.meanDifference).toBeCloseTo(3.5, 12);
    expect(adapted?.perSeed).toEqual([
      { seed: 0, difference: 3 },
      { seed: 1, difference: 4 },
    ]);
    expect(adapted?.interval?.observed).toBeCloseTo(3.5, 12);
    expect(adapted?.here.mean).toBeCloseTo(adapted!.there.mean + 3.5, 12);
  });

  it('gives zero for a method the follow-up left as it was', () => {
    const d = studyDifferences(followUp(), there, { replicates: 200 });
    const pool = find(d, 'multi-task-lora-k-shot', 'multi-task-lora-k-shot');
    expect(pool?.meanDifference).toBe(0);
    expect(pool?.perSeed.map((s) => s.difference)).toEqual([0, 0]);
    expect([pool?.interval?.low, pool?.interval?.high]).toEqual([0, 0]);
  });

  it('sets MeTA-LoRA against what only the other study scored, at its k or without one, with no per-seed pairing', () => {
    const d = studyDifferences(followUp(), there, { replicates: 50 });
    const only = d.differences.filter((c) => c.reference === 'meta-lora-adapted' && c.baseline !== c.reference);
    expect(only.map((c) => `${c.baseline}@${c.baselineK ?? '-'}`)).toEqual([
      'base-in-context@4',
      'single-task-lora@-',
      'multi-task-lora-full@-',
    ]);
    expect(only.every((c) => c.perSeed.length === 0)).toBe(true);
  });

  it('compares only the seeds and tasks both studies have', () => {
    const seed0 = {
      rows: there.rows.filter((r) => r.seed === 0),
      examples: there.examples.filter((e) => e.seed === 0),
    };
    const d = studyDifferences(followUp(), seed0, { replicates: 50 });
    expect(d.seeds).toEqual([0]);
    expect(find(d, 'meta-lora-adapted', 'meta-lora-adapted')?.meanDifference).toBeCloseTo(3, 12);
    const taskA = studyDifferences(followUp(syntheticRows().filter((r) => r.taskId === 'task-a')), there, {
      replicates: 50,
    });
    expect(taskA.taskIds).toEqual(['task-a']);
    expect(find(taskA, 'meta-lora-adapted', 'meta-lora-adapted')?.n).toBe(1);
  });

  it('pairs each method over the seeds both studies have it at, on both sides', () => {
    // The other study lacks MeTA-LoRA adapted at seed 1 (task-b): that row compares seed 0 alone, here and there.
    const gap = (r: { method: string; seed: number; taskId: string }) =>
      !(r.method === 'meta-lora-adapted' && r.seed === 1 && r.taskId === 'task-b');
    const d = studyDifferences(
      followUp(),
      { rows: there.rows.filter(gap), examples: there.examples.filter(gap) },
      { replicates: 50 },
    );
    const adapted = find(d, 'meta-lora-adapted', 'meta-lora-adapted');
    expect(adapted?.perSeed).toEqual([{ seed: 0, difference: 3 }]);
    expect([adapted?.here.seeds, adapted?.there.seeds]).toEqual([1, 1]);
    expect(adapted?.meanDifference).toBeCloseTo(3, 12);
    expect(adapted?.interval?.observed).toBeCloseTo(3, 12);
    expect(find(d, 'meta-lora-shared', 'meta-lora-shared')?.here.seeds).toBe(2);
  });

  it('says which methods scored identically in both studies', () => {
    const d = studyDifferences(followUp(), there, { replicates: 20 });
    expect(d.differences.filter((c) => c.identical).map((c) => c.reference)).toEqual([
      'base-zero-shot',
      'multi-task-lora-k-shot',
      'meta-lora-shared',
    ]);
    const table = studyDifferenceTable(d, 'earlier', ['k = 8 seed 1']);
    expect(table.note).toContain(
      'Scored identically in both (the score and target loss of every task at every seed): Base, zero-shot, ',
    );
    expect(table.note).toContain("Not in the earlier study's published cells: k = 8 seed 1.");
  });

  it('gives no intervals when one study has no per-example results', () => {
    const d = studyDifferences(followUp(), { rows: there.rows, examples: [] });
    expect(d.bootstrap).toBeNull();
    expect(d.differences.every((c) => c.interval === undefined)).toBe(true);
  });
});

describe('studyDifferenceTable', () => {
  it('names the other study and shows one row per difference', () => {
    const d = studyDifferences(followUp(), there, { replicates: 50 });
    const table = studyDifferenceTable(d, 'multilingual');
    expect(table.title).toBe('Against the multilingual study');
    expect(table.rows).toHaveLength(d.differences.length);
    const adapted = table.rows.find((r) => r[0] === 'MeTA-LoRA shared + stage-1 adaptation, k = 4' && r[1] === r[0]);
    expect(adapted?.slice(5, 6)).toEqual(['+3.5']);
    expect(adapted?.[7]).toBe('s0 +3.0 / s1 +4.0');
  });
});
