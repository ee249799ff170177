import { Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { evalWindowStarts, randomWindows, windowBatch } from './windows.ts';

const stream = Uint16Array.from({ length: 50 }, (_, i) => i);

describe('windows', () => {
  it('cuts contiguous windows whose labels are the inputs', () => {
    const batch = windowBatch(stream, [3, 10], 4);
    expect([...batch.inputIds]).toEqual([3, 4, 5, 6, 10, 11, 12, 13]);
    expect(batch.labels).toEqual(batch.inputIds);
  });

  it('draws the same random windows from the same seed, and stays inside the stream', () => {
    const a = randomWindows(stream, 64, 50, Rng.fromSeed(1));
    expect([...a.inputIds.slice(0, 50)]).toEqual([...stream]);
    const b = randomWindows(stream, 16, 8, Rng.fromSeed(2));
    expect(randomWindows(stream, 16, 8, Rng.fromSeed(2))).toEqual(b);
    expect(Math.max(...b.inputIds)).toBeLessThan(50);
  });

  it('spaces evaluation windows evenly from the first to the last token', () => {
    expect(evalWindowStarts(1000, 100, 3)).toEqual([0, 450, 900]);
    expect(() => evalWindowStarts(10, 11, 1)).toThrow(/fewer than one window/);
  });
});
