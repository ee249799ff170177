/**
 * A `WorkerPool` module for worker-pool.test.ts: doubles a number, or fails the way the job asks (a MetaLoraError, or
 * a plain Error), after `init.offset` is added so the test can see that setup ran. A job with a `started` flag (an
 * Int32Array over a SharedArrayBuffer) sets it to 1 when it begins, so the test can see when the worker got it. A job
 * with `thread` answers the worker's thread id instead; one with `retire` retires its worker with its answer.
 */
import { threadId } from 'node:worker_threads';
import { MetaLoraError } from './errors.ts';
import { serveJobs } from './worker-pool.ts';

export interface TestPoolInit {
  readonly offset: number;
}

export interface TestPoolJob {
  readonly value: number;
  readonly fail?: 'known' | 'unknown';
  readonly started?: Int32Array;
  /** Report 1…progress to `onProgress` before answering. */
  readonly progress?: number;
  readonly thread?: boolean;
  readonly retire?: boolean;
}

serveJobs<TestPoolInit, TestPoolJob, number>(async (init) => (job, report) => {
  for (let i = 1; i <= (job.progress ?? 0); i++) report(i);
  if (job.started) {
    Atomics.store(job.started, 0, 1);
    Atomics.notify(job.started, 0);
  }
  if (job.fail === 'known') {
    throw new MetaLoraError('DATA_INVALID', `value ${job.value} is rejected`, {
      field: 'value',
      value: job.value,
      fix: 'send a positive value',
    });
  }
  if (job.fail === 'unknown') throw new Error(`plain failure on ${job.value}`);
  return { result: job.thread ? threadId : 2 * job.value + init.offset, retire: job.retire ?? false };
});
