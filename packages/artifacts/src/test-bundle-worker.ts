/**
 * A `WorkerPool` module for bundle-worker.test.ts: answers each job with its own `import.meta.url` and the version of
 * apache-arrow it carries, so the test can see what a bundled module sees.
 */
import { util } from 'apache-arrow';
import { serveJobs } from './worker-pool.ts';

serveJobs<null, null, { url: string; arrow: boolean }>(async () => () => ({
  result: { url: import.meta.url, arrow: typeof util.compareArrayLike === 'function' },
}));
