import { artifactToIPC, MetaLoraError } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { EpisodesArtifact, resolveEpisodes, sampleEpisodes } from './episodes.ts';
import { buildPools } from './pool.ts';
import { fakeExamples } from './test-fixtures.ts';

const pool = buildPools(fakeExamples(['a', 'b', 'c', 'd', 'e'], 40), { k: 16, seed: 0 });
const shape = { iterations: 20, tasksPerBatch: 3, supportSize: 6, querySize: 10 };
const lineage = { configHash: 'x', seed: 1, parents: [], createdBy: 'episodes.test' };

describe('sampleEpisodes', () => {
  it('keeps support and query disjoint in every episode', () => {
    for (const { tasks } of resolveEpisodes(sampleEpisodes(pool, shape, 1), pool)) {
      for (const { support, query } of tasks) {
        const s = new Set(support.map((r) => r.exampleId));
        expect(query.filter((r) => s.has(r.exampleId))).toEqual([]);
      }
    }
  });

  it('gives each task the configured support and query sizes', () => {
    const sizes = resolveEpisodes(sampleEpisodes(pool, shape, 1), pool).flatMap(({ tasks }) =>
      tasks.map((t) => [t.support.length, t.query.length]),
    );
    expect(new Set(sizes.map((s) => s.join('/')))).toEqual(new Set(['6/10']));
  });

  it('batches n distinct tasks per iteration', () => {
    for (const { tasks } of resolveEpisodes(sampleEpisodes(pool, shape, 2), pool)) {
      expect(new Set(tasks.map((t) => t.taskId)).size).toBe(3);
    }
  });

  it('writes byte-identical episode artifacts for equal seeds', () => {
    const a = artifactToIPC(EpisodesArtifact, sampleEpisodes(pool, shape, 9), lineage).bytes;
    const b = artifactToIPC(EpisodesArtifact, sampleEpisodes(pool, shape, 9), lineage).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('samples different episodes for different seeds', () => {
    expect(sampleEpisodes(pool, shape, 1)).not.toEqual(sampleEpisodes(pool, shape, 2));
  });

  it('refuses support + query larger than the pool', () => {
    expect(() => sampleEpisodes(pool, { ...shape, supportSize: 8, querySize: 9 }, 0)).toThrow(MetaLoraError);
  });

  it('refuses more tasks per batch than there are tasks', () => {
    expect(() => sampleEpisodes(pool, { ...shape, tasksPerBatch: 6 }, 0)).toThrow(/tasksPerBatch = 6/);
  });

  it('without tasksPerBatch takes every task when the pool has fewer than the default 4', () => {
    const { tasksPerBatch: _, ...unset } = shape;
    const slots = (p: typeof pool) =>
      new Set(
        sampleEpisodes(p, unset, 0)
          .filter((r) => r.iteration === 0)
          .map((r) => r.taskSlot),
      ).size;
    expect(slots(pool)).toBe(4); // 5 tasks: the default
    expect(slots(pool.filter((p) => p.taskId < 'd'))).toBe(3); // 3 tasks: all of them
  });
});
