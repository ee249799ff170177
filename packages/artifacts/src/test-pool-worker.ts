/**
 * A `WorkerPool` module for worker-pool.test.ts: doubles a number, or fails the way the job asks (a MetaLoraError, or
 * a plain Error), after `init.offset` is added so the test can see that setup ran.
 */
import { MetaLoraError } from './errors.ts';
import { serveJobs } from './worker-pool.ts';

export interface TestPoolInit {
  readonly offset: number;
}

export interface TestPoolJob {
  readonly value: number;
  readonly fail?: 'known' | 'unknown';
}

serveJobs<TestPoolInit, TestPoolJob, number>(async (init) => (job) => {
  if (job.fail === 'known') {
    throw new MetaLoraError('DATA_INVALID', `value ${job.value} is rejected`, {
      field: 'value',
      value: job.value,
      fix: 'send a positive value',
    });
  }
  if (job.fail === 'unknown') throw new Error(`plain failure on ${job.value}`);
  return { result: 2 * job.value + init.offset };
});
