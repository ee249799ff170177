// Worker-thread entry of every WorkerPool: imports the worker module named in workerData (it calls serveJobs). Built
// packages hand over a `.js` module and need nothing else. A `.ts` module means the workspace runs from source (vitest,
// tsx): then this thread registers tsx, and the `@meta-lora/source` export condition so that the packages the module
// imports resolve to their sources too, as in the thread that started it.
import { register as registerHooks } from 'node:module';
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const sourceCondition = `export function resolve(specifier, context, next) {
    return next(specifier, { ...context, conditions: [...context.conditions, '@meta-lora/source'] });
  }`;
  registerHooks(`data:text/javascript,${encodeURIComponent(sourceCondition)}`);
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
