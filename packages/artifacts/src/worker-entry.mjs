// Worker-thread entry of every WorkerPool: the packages ship TypeScript sources, so register tsx in this thread, then
// load the worker module named in workerData (it calls serveJobs).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
