/**
 * The body of an evaluation worker thread: its own TF.js backend, the base model and its tokenizer loaded once from the
 * model directory, and the last shared adapter it loaded (so consecutive cells of one condition do not reload it).
 * Replies with the cell's `eval-results` row.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isMetaLoraError, MetaLoraError } from '@meta-lora/artifacts';
import { initBackend, type LoraAdapter, loadModel } from '@meta-lora/lora-core';
import { evaluateCell, loadAdapter } from './eval-cell.ts';
import type { EvalWorkerInit, EvalWorkerReply, EvalWorkerRequest } from './eval-runner.ts';

const init = workerData as EvalWorkerInit;
const port = parentPort!;

const ready = (async () => {
  await initBackend({ quiet: true, ...(init.backend ? { backend: init.backend } : {}) });
  const { model, tokenizer } = await loadModel(init.modelDir);
  if (!tokenizer) {
    throw new MetaLoraError('TOKENIZER_INVALID', `${init.modelDir} has no tokenizer.json; evaluation needs one`, {
      path: init.modelDir,
      fix: 'add the tokenizer files of the model to its directory',
    });
  }
  return { model, tokenizer };
})();

/** The shared adapter of the last condition that had one. */
let cached: { dir: string; adapter: LoraAdapter } | null = null;

port.on('message', async (request: EvalWorkerRequest) => {
  let reply: EvalWorkerReply;
  try {
    const { model, tokenizer } = await ready;
    const { condition, taskId, examples, taskType } = request.job;
    const dir = condition.adapterDir;
    if (dir !== undefined && cached?.dir !== dir) {
      cached?.adapter.dispose();
      cached = null;
      cached = { dir, adapter: loadAdapter(dir, model, 'shared') };
    }
    const shared = dir === undefined ? null : cached!.adapter;
    const row = evaluateCell(model, tokenizer, condition, taskId, examples, taskType, shared, init.scoring);
    reply = { id: request.id, row };
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
