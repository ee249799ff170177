/**
 * The body of a data-parallel worker thread (a `WorkerPool` module, `data-parallel.ts`): its own TF.js backend with one
 * OpenBLAS thread (the workers are the parallelism), and its own copy of the model as trainable variables, overwritten
 * from the shared θ before each share. Replies with the share's mean loss and target count; its gradients go into the
 * job's shared buffer.
 */
import { Rng, serveJobs } from '@meta-lora/artifacts';
import {
  causalLmLoss,
  initBackend,
  LlamaModel,
  lossTargets,
  parseModelConfig,
  randomWeights,
  tf,
  valueAndGradients,
} from '@meta-lora/lora-core';
import type { DataParallelInit, DataParallelJob, DataParallelResult } from './data-parallel.ts';

serveJobs<DataParallelInit, DataParallelJob, DataParallelResult>(async (init) => {
  // Read by @meta-lora/native-blas when the backend loads; this thread's env is its own copy.
  process.env.META_LORA_THREADS = '1';
  await initBackend({ quiet: true, ...(init.backend ? { backend: init.backend } : {}) });
  const config = parseModelConfig(init.hfConfig, 'data-parallel worker');
  // The values are overwritten from θ before every share; only the names, shapes and order matter.
  const weights = randomWeights(config, Rng.fromSeed(0));
  const model = LlamaModel.fromTensors(config, weights, 'data-parallel worker', { trainable: true });
  const variables = model.trainableVariables();
  return (job) => {
    if (job.kind === 'ready') return { result: { loss: 0, targets: 0 } };
    let offset = 0;
    tf.tidy(() => {
      for (const v of variables) {
        // slice: a copy off the shared memory, which the main thread rewrites before the next step.
        v.assign(tf.tensor(job.theta.slice(offset, offset + v.size), v.shape));
        offset += v.size;
      }
    });
    const { loss, grads } = valueAndGradients(() => causalLmLoss(model, job.batch), variables);
    offset = 0;
    for (const g of grads) {
      job.grads.set(g.dataSync() as Float32Array, offset);
      offset += g.size;
      g.dispose();
    }
    return { result: { loss, targets: lossTargets(job.batch).rows.length } };
  };
});
