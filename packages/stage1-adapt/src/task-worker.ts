/**
 * The body of a stage 1 worker thread: its own TF.js backend, the base model loaded once from a `ModelSource`, and a
 * shared adapter whose values are overwritten from each job's message. Replies with the task's `task-updates` bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isMetaLoraError, Rng } from '@meta-lora/artifacts';
import { createLoraAdapter, initBackend, tf } from '@meta-lora/lora-core';
import { loadModelSource } from './model-source.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './task-runner.ts';
import { computeTaskUpdate, taskUpdatesToIPC } from './task-update.ts';

const init = workerData as WorkerInit;
const port = parentPort!;

const ready = (async () => {
  await initBackend({ quiet: true, ...(init.backend ? { backend: init.backend } : {}) });
  const { model } = await loadModelSource(init.modelSource);
  const shared = createLoraAdapter(model, init.loraConfig, Rng.fromSeed(0), init.sharedName);
  return { model, shared };
})();

port.on('message', async (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const { model, shared } = await ready;
    // In a tidy: setFromArrays leaves the tensors it assigns from.
    tf.tidy(() => shared.setFromArrays(new Map(request.shared)));
    const row = computeTaskUpdate(model, shared, request.job, init.adaptConfig);
    reply = { id: request.id, bytes: taskUpdatesToIPC([row], request.job) };
  } catch (error) {
    reply = isMetaLoraError(error)
      ? { id: request.id, error: { code: error.code, message: error.message, known: true } }
      : {
          id: request.id,
          error: { code: 'IO_FAILED', message: (error as Error)?.stack ?? String(error), known: false },
        };
  }
  port.postMessage(reply);
});
