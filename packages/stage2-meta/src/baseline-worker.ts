/**
 * The body of a baseline worker thread (a `WorkerPool` module of @meta-lora/artifacts, started by `trainInWorkers`):
 * its own TF.js backend and copy of the model; each job trains one adapter with `trainBaselineJob` and replies with
 * its values, moved to the main thread.
 */
import { serveJobs } from '@meta-lora/artifacts';
import { initBackend } from '@meta-lora/lora-core';
import { adapterValues, loadSourceModel } from '@meta-lora/stage1-adapt';
import {
  type BaselineJob,
  type BaselineJobResult,
  type BaselineWorkerInit,
  PROGRESS_EVERY,
  trainBaselineJob,
} from './baseline-pool.ts';

serveJobs<BaselineWorkerInit, BaselineJob, BaselineJobResult>(async (init) => {
  await initBackend({ quiet: true, ...(init.backend ? { backend: init.backend } : {}) });
  const model = await loadSourceModel(init.modelSource);
  return (job, report) => {
    const { adapter, ...result } = trainBaselineJob(model, job, init, (step, loss) => {
      if (step % PROGRESS_EVERY === 0) report({ step, loss });
    });
    try {
      const values = [...adapterValues(adapter)];
      return {
        result: { values, ...result },
        transfer: values.map(([, v]) => v.buffer as ArrayBuffer),
      };
    } finally {
      adapter.dispose();
    }
  };
});
