/**
 * The body of an evaluation worker thread (a `WorkerPool` module of @meta-lora/artifacts, started by `EvalRunner`): its
 * own TF.js backend, the base model and its tokenizer loaded once from the model directory, and the last shared adapter
 * it loaded (so consecutive cells of one condition do not reload it). Replies with the cell's rows (`EvalCellResult`),
 * and retires once a cell leaves its wasm heap at `retireHeapBytes` or more: the pool starts a fresh worker.
 */
import { MetaLoraError, serveJobs } from '@meta-lora/artifacts';
import { initBackend, type LoraAdapter, loadModel, wasmHeapBytes } from '@meta-lora/lora-core';
import { type EvalCellResult, evaluateCell, loadAdapter } from './eval-cell.ts';
import type { EvalCellJob, EvalWorkerInit } from './eval-runner.ts';

serveJobs<EvalWorkerInit, EvalCellJob, EvalCellResult>(async (init) => {
  await initBackend({ quiet: true, ...(init.backend ? { backend: init.backend } : {}) });
  const { model, tokenizer } = await loadModel(init.modelDir);
  if (!tokenizer) {
    throw new MetaLoraError('TOKENIZER_INVALID', `${init.modelDir} has no tokenizer.json; evaluation needs one`, {
      path: init.modelDir,
      fix: 'add the tokenizer files of the model to its directory',
    });
  }
  /** The shared adapter of the last condition that had one. */
  let cached: { dir: string; adapter: LoraAdapter } | null = null;
  return ({ condition, taskId, examples, taskType }) => {
    const dir = condition.adapterDir;
    if (dir !== undefined && cached?.dir !== dir) {
      cached?.adapter.dispose();
      cached = null;
      cached = { dir, adapter: loadAdapter(dir, model, 'shared') };
    }
    const shared = dir === undefined ? null : cached!.adapter;
    const result = evaluateCell(model, tokenizer, condition, taskId, examples, taskType, shared, init.scoring);
    return { result, retire: (wasmHeapBytes() ?? 0) >= init.retireHeapBytes };
  };
});
