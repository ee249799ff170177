import { afterAll, describe, expect, it } from 'vitest';
import { MetaLoraError } from './errors.ts';
import type { TestPoolInit, TestPoolJob } from './test-pool-worker.ts';
import { longestFirst, WorkerPool } from './worker-pool.ts';

/** A pool of one worker on the test module: completion order is hand-out order, so expectations are deterministic. */
const startPool = (held = 0) =>
  WorkerPool.start<TestPoolInit, TestPoolJob, number>({
    module: new URL('./test-pool-worker.ts', import.meta.url),
    init: { offset: 1 },
    size: 1,
    held,
    label: held > 0 ? 'held worker' : 'test worker',
  });
const pool = startPool();
afterAll(() => pool.close());

const jobs = (...values: number[]): TestPoolJob[] => values.map((value) => ({ value }));

describe('WorkerPool', () => {
  it('returns the results in job order whatever order the jobs go out in', async () => {
    expect(await pool.run(jobs(1, 2, 3), { order: [2, 0, 1] })).toEqual([3, 5, 7]);
  });

  it('reports each result to onResult with its job position, in completion order', async () => {
    const seen: [number, number][] = [];
    await pool.run(jobs(1, 2, 3), { order: [2, 0, 1], onResult: (i, result) => seen.push([i, result]) });
    expect(seen).toEqual([
      [2, 7],
      [0, 3],
      [1, 5],
    ]);
  });

  it('hands each progress value a job reports to onProgress with its position, before its result', async () => {
    const seen: string[] = [];
    await pool.run([{ value: 1, progress: 2 }, { value: 2 }, { value: 3, progress: 1 }], {
      onProgress: (i, value) => seen.push(`${i}:${value}`),
      onResult: (i) => seen.push(`${i}:done`),
    });
    expect(seen).toEqual(['0:1', '0:2', '0:done', '1:done', '2:1', '2:done']);
  });

  it('rethrows the earliest failed job (in job order) as a MetaLoraError with its code, message and details', async () => {
    const failing: TestPoolJob[] = [
      { value: 0 },
      { value: 1, fail: 'known' },
      { value: 2 },
      { value: 3, fail: 'known' },
    ];
    const error = await pool.run(failing, { order: [3, 2, 1, 0] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaLoraError);
    expect((error as MetaLoraError).code).toBe('DATA_INVALID');
    expect((error as MetaLoraError).message).toBe('value 1 is rejected\n  fix: send a positive value');
    expect((error as MetaLoraError).details).toEqual({ field: 'value', value: 1, fix: 'send a positive value' });
  });

  it('gives a worker its next job before handling its last result', async () => {
    const started = new Int32Array(new SharedArrayBuffer(4));
    let waited = '';
    await pool.run([{ value: 1 }, { value: 2, started }], {
      onResult: (i) => {
        // Blocks this thread until the worker begins job 1: only possible if it was posted before this call.
        if (i === 0) waited = Atomics.wait(started, 0, 0, 5_000);
      },
    });
    expect(waited).not.toBe('timed-out');
  });

  it("queues the jobs of a run started while another is in progress behind that run's jobs", async () => {
    const seen: string[] = [];
    const first = pool.run(jobs(1, 2), { onResult: (i) => seen.push(`first ${i}`) });
    const second = pool.run(jobs(3), { onResult: (i) => seen.push(`second ${i}`) });
    expect(await Promise.all([first, second])).toEqual([[3, 5], [7]]);
    expect(seen).toEqual(['first 0', 'first 1', 'second 0']);
  });

  it('settles a run that failed while another run keeps going', async () => {
    const failing = pool.run([{ value: 1, fail: 'known' }, { value: 2 }], { failFast: true });
    const other = pool.run(jobs(4));
    await expect(failing).rejects.toThrow('value 1 is rejected');
    expect(await other).toEqual([9]);
  });

  it('hands out no further job after a failure when failFast is set', async () => {
    const started: number[] = [];
    const failing: TestPoolJob[] = [{ value: 0 }, { value: 1, fail: 'known' }, { value: 2 }];
    await pool.run(failing, { failFast: true, onResult: (i) => started.push(i) }).catch(() => {});
    expect(started).toEqual([0]);
  });

  it('fails the job whose onResult throws', async () => {
    const error = await pool
      .run(jobs(1, 2), {
        onResult: (i) => {
          if (i === 1) throw new Error('callback failed');
        },
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('callback failed');
  });

  it('names the worker in an error that is not a MetaLoraError', async () => {
    const error = await pool.run([{ value: 5, fail: 'unknown' }]).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(MetaLoraError);
    expect((error as Error).message).toMatch(/^test worker 0 failed: Error: plain failure on 5/);
  });
});

describe('WorkerPool retiring a worker', () => {
  it('replaces a worker its job retired with a fresh one, set up again, before its next job', async () => {
    const retiring = startPool();
    try {
      const [before, kept, after, setUp] = await retiring.run([
        { value: 0, thread: true },
        { value: 2, retire: true },
        { value: 0, thread: true },
        { value: 3 },
      ]);
      expect(kept).toBe(5); // the retiring job's result is kept
      expect(after).not.toBe(before);
      expect(setUp).toBe(7); // the fresh worker ran the setup (offset 1)
      expect(retiring.retirements).toBe(1);
    } finally {
      await retiring.close();
    }
  });

  it('starts no fresh worker for a worker retired by its last job', async () => {
    const retiring = startPool();
    try {
      expect(await retiring.run([{ value: 1 }, { value: 2, retire: true }])).toEqual([3, 5]);
      expect(retiring.retirements).toBe(0);
    } finally {
      await retiring.close();
    }
  });

  it('keeps a worker whose jobs do not retire it', async () => {
    const [a, b] = await pool.run([
      { value: 0, thread: true },
      { value: 0, thread: true },
    ]);
    expect(b).toBe(a);
    expect(pool.retirements).toBe(0);
  });
});

describe('WorkerPool with held workers', () => {
  it('gives a held worker no job until release()', async () => {
    const held = startPool(1);
    try {
      const started = new Int32Array(new SharedArrayBuffer(4));
      let settled = false;
      const results = held.run([{ value: 4, started }, { value: 5 }]).finally(() => {
        settled = true;
      });
      // Long enough for a free worker to set up and answer both jobs.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect([Atomics.load(started, 0), settled]).toEqual([0, false]);
      held.release();
      expect(await results).toEqual([9, 11]);
    } finally {
      await held.close();
    }
  });
});

describe('longestFirst', () => {
  it('orders positions by cost, highest first, ties by position', () => {
    expect(longestFirst([60, 180, 100, 30, 100])).toEqual([1, 2, 4, 0, 3]);
  });
});
