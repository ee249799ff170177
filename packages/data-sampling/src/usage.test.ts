import { describe, expect, it } from 'vitest';
import { sampleEpisodes } from './episodes.ts';
import { buildPools } from './pool.ts';
import { countWords, fakeExamples } from './test-fixtures.ts';
import { dataUsage, episodeExamples } from './usage.ts';

const examples = fakeExamples(['a', 'b'], 40);
const pool = buildPools(examples, { k: 8, seed: 0 });

describe('dataUsage', () => {
  it('counts each distinct example once', () => {
    const [row] = dataUsage(
      'few-shot',
      [...pool, ...pool].filter((p) => p.taskId === 'a'),
      countWords,
    );
    expect(row!.examples).toBe(8);
  });

  it('sums the tokens of the distinct examples', () => {
    const one = pool[0]!;
    expect(dataUsage('m', [one, one], countWords)[0]!.tokens).toBe(countWords(one.input + one.target));
  });

  it('counts no more than the pool for meta-lora episodes', () => {
    const episodes = sampleEpisodes(pool, { iterations: 50, tasksPerBatch: 2, supportSize: 4, querySize: 4 }, 0);
    const rows = dataUsage('meta-lora', episodeExamples(episodes, pool), countWords);
    expect(rows.map((r) => r.examples)).toEqual([8, 8]);
  });
});
