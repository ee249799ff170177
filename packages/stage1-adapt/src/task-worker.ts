/**
 * The body of a stage 1 worker thread (a `WorkerPool` module): its own TF.js backend, the base model loaded once from
 * a `ModelSource`, and a shared adapter whose values are overwritten from each job. Replies with the task's
 * `task-updates` bytes (`adapted`, `queryLossBefore` left 0) or with the query loss of θ (`query-loss`).
 */
import { Rng, serveJobs } from '@meta-lora/artifacts';
import { createLoraAdapter, initBackend, tf } from '@meta-lora/lora-core';
import { loadSourceModel } from './model-source.ts';
import type { WorkerInit, WorkerJob } from './task-runner.ts';
import { adaptedUpdateToIPC, computeAdaptedUpdate, queryLossBefore, unflattenAdapter } from './task-update.ts';

serveJobs<WorkerInit, WorkerJob, Uint8Array | number>(async (init) => {
  await initBackend({ quiet: true, ...(init.backend ? { backend: init.backend } : {}) });
  const model = await loadSourceModel(init.modelSource);
  const shared = createLoraAdapter(model, init.loraConfig, Rng.fromSeed(0), init.sharedName);
  return ({ shared: values, job, part }) => {
    tf.tidy(() => {
      const tensors = unflattenAdapter(values, shared);
      for (const [i, v] of shared.variables().entries()) v.assign(tensors[i] as tf.Tensor);
    });
    if (part === 'query-loss') return { result: queryLossBefore(model, shared, job, init.adaptConfig) };
    const update = computeAdaptedUpdate(model, shared, job, init.adaptConfig);
    return { result: adaptedUpdateToIPC(update, job) };
  };
});
