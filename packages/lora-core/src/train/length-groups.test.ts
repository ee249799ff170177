import { Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { lengthGroups, rowLengths } from './length-groups.ts';

/** The cost `lengthGroups` minimises. */
function cost(lengths: readonly number[], groups: readonly (readonly number[])[], overhead: number): number {
  return groups.reduce((s, g) => s + g.length * Math.max(...g.map((i) => lengths[i] as number)) + overhead, 0);
}

/** Every partition of `items` into non-empty sets. */
function* partitions(items: readonly number[]): Generator<number[][]> {
  if (items.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = items as [number, ...number[]];
  for (const p of partitions(rest)) {
    for (let i = 0; i < p.length; i++) yield [...p.slice(0, i), [first, ...(p[i] as number[])], ...p.slice(i + 1)];
    yield [[first], ...p];
  }
}

describe('rowLengths', () => {
  it('is one past the last labelled position of each row, 0 for a row without labels', () => {
    const labels = Int32Array.from([-100, 5, 6, -100, -100, -100, -100, -100, -100, -100, -100, 9]);
    expect(rowLengths(labels, 3, 4)).toEqual([3, 0, 4]);
  });
});

describe('lengthGroups', () => {
  it('keeps a batch of equal lengths as one group in batch order', () => {
    expect(lengthGroups([20, 20, 20, 20], 64)).toEqual([[0, 1, 2, 3]]);
  });

  it('puts every row with a length in exactly one group and leaves out rows of length 0', () => {
    const groups = lengthGroups([15, 0, 150, 14, 16, 149], 8);
    expect(groups.flat().sort((a, b) => a - b)).toEqual([0, 2, 3, 4, 5]);
    expect(groups).toEqual([
      [0, 3, 4],
      [2, 5],
    ]);
  });

  it('finds the cheapest of all partitions (brute force over every set partition, random lengths)', () => {
    const rng = Rng.fromSeed(7);
    for (let trial = 0; trial < 40; trial++) {
      const lengths = Array.from({ length: 1 + rng.int(7) }, () => 1 + rng.int(160));
      const overhead = [0, 16, 64, 512][trial % 4] as number;
      const rows = lengths.map((_, i) => i);
      let best = Number.POSITIVE_INFINITY;
      for (const p of partitions(rows)) best = Math.min(best, cost(lengths, p, overhead));
      expect(cost(lengths, lengthGroups(lengths, overhead), overhead)).toBe(best);
    }
  });
});
