import { describe, expect, it } from 'vitest';
import { summarizeResults } from './summarize.ts';
import { syntheticCells, syntheticExamples, syntheticRows } from './test-results.ts';

const s = summarizeResults(syntheticRows());

describe('summarizeResults', () => {
  it('averages seeds per method × task × k with the sample std', () => {
    const cell = s.cells.find((c) => c.method === 'meta-lora-adapted' && c.taskId === 'task-b' && c.k === 8)!;
    // Seeds give 60 + 10 + 5 = 75 and 77.
    expect(cell.mean).toBe(76);
    expect(cell.std).toBeCloseTo(Math.SQRT2, 12);
    expect(cell.seeds).toBe(2);
    expect(cell.examplesUsed).toBe(8);
  });

  it('lists methods in the canonical order and the k values ascending', () => {
    expect(s.methods[0]).toBe('base-zero-shot');
    expect(s.methods.at(-1)).toBe('meta-lora-adapted');
    expect(s.ks).toEqual([4, 8]);
  });

  it('compares MeTA-LoRA (adapted) with a k-shot baseline at the same k and a full-data one at every k', () => {
    const vsKShot = s.comparisons.find((c) => c.baseline === 'multi-task-lora-k-shot' && c.k === 4)!;
    expect(vsKShot.reference).toBe('meta-lora-adapted');
    expect(vsKShot.baselineK).toBe(4);
    expect(vsKShot.meanDifference).toBeCloseTo(20, 12);
    expect([vsKShot.wins, vsKShot.losses, vsKShot.n]).toEqual([2, 0, 2]);
    expect(vsKShot.signTestP).toBe(0.5);
    const vsFull = s.comparisons.filter((c) => c.baseline === 'multi-task-lora-full');
    expect(vsFull.map((c) => [c.k, c.meanDifference])).toEqual([
      [4, -15],
      [8, -10],
    ]);
  });

  it('gives the difference at each seed alone, leaving out a seed that lacks a task', () => {
    // Seed 1 of the k-shot baseline at k = 4 scores 6 points more on task-a: the seed-1 difference drops by 3.
    const rows = syntheticRows().map((r) =>
      r.method === 'multi-task-lora-k-shot' && r.k === 4 && r.seed === 1 && r.taskId === 'task-a'
        ? { ...r, score: r.score + 6 }
        : r,
    );
    const at = (x: typeof s) => x.comparisons.find((c) => c.baseline === 'multi-task-lora-k-shot' && c.k === 4)!;
    expect(at(summarizeResults(rows)).perSeed).toEqual([
      { seed: 0, difference: 20 },
      { seed: 1, difference: 17 },
    ]);
    const lacking = rows.filter((r) => !(r.method === 'meta-lora-adapted' && r.seed === 1 && r.taskId === 'task-b'));
    expect(at(summarizeResults(lacking)).perSeed.map((p) => p.seed)).toEqual([0]);
  });

  it('pairs seeds only where a seed pairs the runs: a baseline with a k, or one the same at every seed', () => {
    const vs = (baseline: string) => s.comparisons.find((c) => c.baseline === baseline && c.k === 4)!.perSeed;
    expect(vs('multi-task-lora-full')).toEqual([]); // trained once per seed, without k
    expect(vs('base-zero-shot')).toEqual([]); // the synthetic zero-shot differs between seeds
    // Zero-shot made the same at every seed: paired with each seed of MeTA-LoRA.
    const fixed = syntheticRows().map((r) =>
      r.method === 'base-zero-shot' && r.seed === 1 ? { ...r, score: r.score - 2 } : r,
    );
    const zeroShot = summarizeResults(fixed).comparisons.find((c) => c.baseline === 'base-zero-shot' && c.k === 4)!;
    expect(zeroShot.perSeed.map((p) => p.seed)).toEqual([0, 1]);
  });

  it('checks each full-data baseline against zero-shot, paired over tasks', () => {
    expect(s.baselineChecks.map((c) => [c.reference, c.baseline, c.k, c.meanDifference, c.n])).toEqual([
      ['single-task-lora', 'base-zero-shot', undefined, 50, 2],
      ['multi-task-lora-full', 'base-zero-shot', undefined, 55, 2],
    ]);
  });

  it('builds k-sweep curves from task-averaged scores and full-data reference lines', () => {
    const meta = s.sweep.find((c) => c.method === 'meta-lora-adapted')!;
    // k = 4: seeds average (60 + 70) / 2 = 65 and 67.
    expect(meta.points.map((p) => p.k)).toEqual([4, 8]);
    expect(meta.points[0]!.mean).toBe(66);
    expect(meta.points[1]!.mean).toBe(71);
    expect(s.references.map((r) => r.method)).toEqual(['base-zero-shot', 'single-task-lora', 'multi-task-lora-full']);
    expect(s.references.find((r) => r.method === 'multi-task-lora-full')!.mean).toBe(81);
  });
});

describe('summarizeResults with eval-cells and eval-examples', () => {
  const full = summarizeResults(syntheticRows(), {
    cells: syntheticCells(),
    examples: syntheticExamples(),
    bootstrap: { replicates: 200 },
  });

  it('carries the majority-class rate and the data trained on into the cells', () => {
    const a = full.cells.find((c) => c.method === 'single-task-lora' && c.taskId === 'task-a')!;
    expect([a.majorityClassRate, a.examplesTrained, a.trainedScope]).toEqual([64, 100, 'task']);
    const multi = full.cells.find((c) => c.method === 'multi-task-lora-full' && c.taskId === 'task-b')!;
    expect([multi.majorityClassRate, multi.examplesTrained, multi.trainedScope]).toEqual([undefined, 100, 'all-tasks']);
  });

  it('puts on every comparison an interval around the paired mean difference', () => {
    expect(full.bootstrap).toEqual({ replicates: 200, seed: 0 });
    for (const c of full.comparisons) {
      expect(c.interval!.observed).toBeCloseTo(c.meanDifference, 9);
      expect(c.interval!.low).toBeLessThanOrEqual(c.interval!.observed);
      expect(c.interval!.high).toBeGreaterThanOrEqual(c.interval!.observed);
    }
  });

  it("puts intervals on the baseline checks, and adding them leaves the comparisons' intervals unchanged", () => {
    const [multi] = full.baselineChecks.filter((c) => c.reference === 'multi-task-lora-full');
    expect(multi!.interval!.observed).toBeCloseTo(55, 9);
    expect(multi!.interval!.low).toBeGreaterThan(0);
    const alone = summarizeResults(
      syntheticRows().filter((r) => r.method !== 'base-zero-shot'),
      { cells: syntheticCells(), examples: syntheticExamples(), bootstrap: { replicates: 200 } },
    );
    const vsFull = (x: typeof full) => x.comparisons.find((c) => c.baseline === 'multi-task-lora-full' && c.k === 4);
    expect(alone.baselineChecks).toEqual([]);
    expect(vsFull(alone)!.interval).toEqual(vsFull(full)!.interval);
  });

  it('has no intervals without per-example results', () => {
    expect(s.bootstrap).toBeNull();
    expect(s.comparisons.every((c) => c.interval === undefined)).toBe(true);
  });
});
