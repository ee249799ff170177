import { MetaLoraError, Rng } from '@meta-lora/artifacts';
import { thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { type PairedTaskSamples, pairedBootstrap, quantile, Resamples } from './bootstrap.ts';
import { chrfStatistics, corpusChrf } from './chrf.ts';

/** A task of 0/100 example scores, one array per seed. */
const meanTask = (taskId: string, a: number[][], b: number[][]): PairedTaskSamples => ({
  taskId,
  aggregate: 'mean',
  n: a[0]!.length,
  a,
  b,
});

const hits = (n: number, every: number) => Array.from({ length: n }, (_, i) => (i % every === 0 ? 100 : 0));

describe('pairedBootstrap', () => {
  it('gives [0, 0] for identical methods', () => {
    const scores = [hits(40, 3), hits(40, 2)];
    const ci = pairedBootstrap([meanTask('t', scores, scores)], new Resamples(Rng.fromSeed(0)));
    expect([ci.observed, ci.low, ci.high]).toEqual([0, 0, 0]);
  });

  it('excludes 0 when A is better on every example', () => {
    const a = [Array(30).fill(100)];
    const b = [hits(30, 2).map((s) => s / 2)]; // 50 or 0, always below 100
    const ci = pairedBootstrap([meanTask('t', a, b)], new Resamples(Rng.fromSeed(0)));
    expect(ci.low).toBeGreaterThan(0);
  });

  it('is deterministic in the generator state', () => {
    const task = meanTask('t', [hits(25, 2)], [hits(25, 3)]);
    expect(pairedBootstrap([task], new Resamples(Rng.fromSeed(3)))).toEqual(
      pairedBootstrap([task], new Resamples(Rng.fromSeed(3))),
    );
    expect(pairedBootstrap([task], new Resamples(Rng.fromSeed(3)))).not.toEqual(
      pairedBootstrap([task], new Resamples(Rng.fromSeed(4))),
    );
  });

  it('matches a small case by hand: two examples, differences 100 and 0', () => {
    // A resample of 2 has mean difference 0, 50 or 100 with probabilities 1/4, 1/2, 1/4: the 2.5 % and 97.5 %
    // quantiles of 2,000 replicates are the extremes.
    const ci = pairedBootstrap([meanTask('t', [[100, 0]], [[0, 0]])], new Resamples(Rng.fromSeed(0)));
    expect([ci.observed, ci.low, ci.high]).toEqual([50, 0, 100]);
  });

  it('averages seeds and macro-averages tasks: the observed value is the difference of the report means', () => {
    const ci = pairedBootstrap(
      [
        meanTask(
          'x',
          [
            [100, 100],
            [100, 0],
          ],
          [[0, 0]],
        ),
        meanTask('y', [[0, 0, 0, 0]], [[100, 100, 100, 100]]),
      ],
      new Resamples(Rng.fromSeed(0), 10),
    );
    // Task x: A's seeds score 100 and 50, mean 75, B 0: +75. Task y: −100. Macro: −12.5.
    expect(ci.observed).toBe(-12.5);
  });

  it('collapses to the observed difference with one example', () => {
    const ci = pairedBootstrap([meanTask('t', [[100]], [[0]])], new Resamples(Rng.fromSeed(0), 50));
    expect([ci.low, ci.high]).toEqual([100, 100]);
  });

  it('recomputes corpus chrF from summed statistics for chrF tasks', () => {
    const hyp = ['the cat sat', 'a dog', 'birds fly high'];
    const other = ['the hat', 'a log', 'birds'];
    const ref = ['the cat sat down', 'a dog ran', 'birds fly'];
    const stats = (h: string[]) => h.flatMap((x, i) => chrfStatistics(x, ref[i]!));
    const task: PairedTaskSamples = { taskId: 't', aggregate: 'chrF', n: 3, a: [stats(hyp)], b: [stats(other)] };
    const ci = pairedBootstrap([task], new Resamples(Rng.fromSeed(0), 200));
    expect(ci.observed).toBeCloseTo(corpusChrf(hyp, ref) - corpusChrf(other, ref), 10);
    expect(ci.low).toBeLessThanOrEqual(ci.observed);
    expect(ci.high).toBeGreaterThanOrEqual(ci.observed);
  });

  it('refuses methods scored on different numbers of examples', () => {
    const error = thrownBy(
      () => pairedBootstrap([meanTask('t', [[100, 0]], [[0]])], new Resamples(Rng.fromSeed(0))),
      MetaLoraError,
    );
    expect(error.code).toBe('SHAPE_MISMATCH');
  });
});

describe('Resamples', () => {
  it('draws each task once and shares the draw between comparisons', () => {
    const resamples = new Resamples(Rng.fromSeed(0), 5);
    expect(resamples.of('t', 4)).toBe(resamples.of('t', 4));
    expect([...resamples.of('t', 4)].every((i) => i >= 0 && i < 4)).toBe(true);
  });

  it('refuses a replicate count that is not a positive whole number', () => {
    expect(thrownBy(() => new Resamples(Rng.fromSeed(0), 0), MetaLoraError).code).toBe('CONFIG_INVALID');
  });
});

describe('quantile', () => {
  it('interpolates linearly between order statistics (numpy default)', () => {
    expect(quantile(Float64Array.from([1, 2, 3, 4]), 0.5)).toBe(2.5);
    expect(quantile(Float64Array.from([0, 10]), 0.975)).toBe(9.75);
  });
});
