// A WorkerPool module with the set-up of a stage-1 worker (backend, model weights, shared adapter) and a job that does
// nothing: the time to its first reply is the time a worker takes to be ready for its first job. Plain JavaScript, so
// the worker compiles nothing itself; what it imports is whatever the packages resolve to (their built dist/).
import { Rng, serveJobs } from '@meta-lora/artifacts';
import { createLoraAdapter, initBackend } from '@meta-lora/lora-core';
import { loadSourceModel } from '@meta-lora/stage1-adapt';

serveJobs(async (init) => {
  await initBackend({ quiet: true });
  const model = await loadSourceModel({ dir: init.modelDir });
  createLoraAdapter(model, { r: 8, loraAlpha: 16, targetModules: 'all-linear' }, Rng.fromSeed(0), 'shared');
  return () => ({ result: 0 });
});
