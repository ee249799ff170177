/**
 * The body of a stage 1 worker thread (a `WorkerPool` module): its own TF.js backend, the base model loaded once from
 * a `ModelSource`, and a shared adapter whose values are overwritten from each job. Replies with the task's
 * `task-updates` bytes.
 */
import { Rng, serveJobs } from '@meta-lora/artifacts';
import { createLoraAdapter, initBackend, tf } from '@meta-lora/lora-core';
import { loadModelSource } from './model-source.ts';
import type { WorkerInit, WorkerJob } from './task-runner.ts';
import { computeTaskUpdate, taskUpdatesToIPC } from './task-update.ts';

serveJobs<WorkerInit, WorkerJob, Uint8Array>(async (init) => {
  await initBackend({ quiet: true, ...(init.backend ? { backend: init.backend } : {}) });
  const { model } = await loadModelSource(init.modelSource);
  const shared = createLoraAdapter(model, init.loraConfig, Rng.fromSeed(0), init.sharedName);
  return ({ shared: values, job }) => {
    // In a tidy: setFromArrays leaves the tensors it assigns from.
    tf.tidy(() => shared.setFromArrays(new Map(values)));
    const row = computeTaskUpdate(model, shared, job, init.adaptConfig);
    const bytes = taskUpdatesToIPC([row], job);
    return { result: bytes };
  };
});
