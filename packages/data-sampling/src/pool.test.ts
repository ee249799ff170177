import { artifactToIPC, MetaLoraError } from '@meta-lora/artifacts';
import { thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { buildPools, PoolArtifact } from './pool.ts';
import { fakeExamples } from './test-fixtures.ts';

const examples = fakeExamples(['a', 'b', 'c'], 50);
const lineage = { configHash: 'x', seed: 1, parents: [], createdBy: 'pool.test' };

const thrown = (fn: () => unknown) => thrownBy(fn, MetaLoraError);

describe('buildPools', () => {
  it('pools exactly k distinct examples per task', () => {
    const pool = buildPools(examples, { k: 12, seed: 1 });
    for (const task of ['a', 'b', 'c']) {
      expect(new Set(pool.filter((p) => p.taskId === task).map((p) => p.exampleId)).size).toBe(12);
    }
  });

  it('draws from train only', () => {
    const train = new Set(examples.filter((e) => e.split === 'train').map((e) => e.exampleId));
    expect(buildPools(examples, { k: 30, seed: 3 }).every((p) => train.has(p.exampleId))).toBe(true);
  });

  it('writes byte-identical pool artifacts for equal seeds', () => {
    const a = artifactToIPC(PoolArtifact, buildPools(examples, { k: 8, seed: 5 }), lineage).bytes;
    const b = artifactToIPC(PoolArtifact, buildPools([...examples].reverse(), { k: 8, seed: 5 }), lineage).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('draws different pools for different seeds', () => {
    const ids = (seed: number) => buildPools(examples, { k: 8, seed }).map((p) => p.exampleId);
    expect(ids(1)).not.toEqual(ids(2));
  });

  it('refuses k larger than a task’s train set, naming the task', () => {
    const error = thrown(() => buildPools(examples, { k: 31, seed: 0 }));
    expect([error.code, error.details.field, error.message]).toEqual([
      'CONFIG_INVALID',
      'k',
      expect.stringMatching(/task `a` has only 30 train examples/),
    ]);
  });

  it('with capK pools every train example of a task smaller than k, and k of the others', () => {
    const more = fakeExamples(['big'], 80);
    const pool = buildPools([...examples, ...more], { k: 31, seed: 0, capK: true });
    const count = (t: string) => pool.filter((p) => p.taskId === t).length;
    expect([count('a'), count('big')]).toEqual([30, 31]);
  });

  it('refuses a task without train examples', () => {
    const noTrain = fakeExamples(['z'], 10).map((e) => ({ ...e, split: 'test' as const }));
    expect(thrown(() => buildPools([...examples, ...noTrain], { k: 4, seed: 0 })).code).toBe('EMPTY_TASK');
  });
});
