import { describe, expect, it } from 'vitest';
import { formatDuration, Progress } from './progress.ts';

/** A non-TTY stream that keeps what is written, and a clock the test moves. */
function setup() {
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  let t = 0;
  return { written, stream, now: () => t, advance: (ms: number) => (t += ms) };
}

describe('Progress in line mode', () => {
  it('writes a line at the start, then at most one per interval, then a final one', () => {
    const { written, stream, now, advance } = setup();
    const p = new Progress({ label: 'meta-train', total: 100, unit: 'it', stream, now, intervalMs: 10_000 });
    for (let i = 1; i <= 40; i++) {
      advance(1000);
      p.update(i, { loss: 3 - i / 100 });
    }
    p.stop();
    // t = 0 (start), 10 s, 20 s, 30 s, 40 s, and the final line
    expect(written).toHaveLength(6);
    expect(written[1]).toBe('meta-train 10/100 (10%) 1.0 it/s ETA 1m30s loss 2.9000\n');
    expect(written.at(-1)).toBe('meta-train 40/100 (40%) 1.0 it/s in 40s loss 2.6000\n');
  });

  it('shows done/total, rate and ETA in every line', () => {
    const { written, stream, now, advance } = setup();
    const p = new Progress({ label: 'eval', total: 8, unit: 'cell', stream, now, intervalMs: 1 });
    advance(4000);
    p.increment(2, { note: 'sentiment' });
    p.stop();
    expect(written[1]).toMatch(/^eval 2\/8 \(25%\) 0\.50 cell\/s ETA 12s sentiment\n$/);
  });
});

describe('Progress.skip', () => {
  it('counts inherited units towards the total but not the rate', () => {
    const { written, stream, now, advance } = setup();
    const p = new Progress({ label: 'meta-train', total: 100, unit: 'it', stream, now, intervalMs: 1 });
    p.skip(90);
    advance(10_000);
    p.update(95);
    p.stop();
    // 5 iterations worked in 10 s: 0.5 it/s, so the 5 left take 10 s (not 100 units in 10 s, ETA 1 s)
    expect(written.at(-2)).toBe('meta-train 95/100 (95%) 0.50 it/s ETA 10s\n');
  });

  it('gives no ETA before any unit was worked here', () => {
    const { written, stream, now, advance } = setup();
    const p = new Progress({ label: 'study multitask', total: 18, unit: 'variant', stream, now, intervalMs: 1 });
    advance(1000);
    p.skip(4, { note: 'k 16 seed 2 reused' });
    expect(written[1]).toBe('study multitask 4/18 (22%) 0.00 variant/s ETA ? k 16 seed 2 reused\n');
  });
});

describe('formatDuration', () => {
  it.each([
    [42, '42s'],
    [185, '3m05s'],
    [3720, '1h02m'],
    [Number.NaN, '?'],
  ])('%s s → %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
