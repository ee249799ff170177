/**
 * V8 heap tuning for meta-lora's own entry points (the `meta-lora` CLI, the pipeline stages, `pnpm bench`); a library
 * import changes nothing. V8 sizes the old generation at a growing factor of the live heap that it lowers for a thread
 * which mostly waits, and the main thread of a worker-pool run mostly waits: with its ~65 MB of live heap (modules,
 * TF.js) it ran a full mark-compact every second meta-iteration, ~35 ms each, on a core the workers compute on. At
 * `--heap-growing-percent=100` (old space may reach twice its live size) the main thread's CPU per meta-iteration fell
 * from 23 to 16 ms and full GCs in the whole process by a third (2 workers, 2 cores).
 *
 * `META_LORA_HEAP_GROWING=0` keeps V8's default; a `--heap-growing-percent` of your own (node flag) wins.
 */
import { setFlagsFromString } from 'node:v8';
import { readEnv } from './env.ts';

export const HEAP_GROWING_PERCENT = 100;

/**
 * The `--heap-growing-percent` to set, or null to leave V8 alone.
 *
 * @example
 * heapGrowingPercent({ META_LORA_HEAP_GROWING: '0' }, []); // null
 */
export function heapGrowingPercent(env: NodeJS.ProcessEnv, execArgv: readonly string[]): number | null {
  if (readEnv('META_LORA_HEAP_GROWING', env) === '0') return null;
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) return null;
  return HEAP_GROWING_PERCENT;
}

/**
 * Applies `heapGrowingPercent` to this process (all its threads); call it first thing in an entry point.
 *
 * @example
 * tuneHeap(); // in bin/meta-lora.js
 */
export function tuneHeap(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): void {
  const percent = heapGrowingPercent(env, execArgv);
  if (percent !== null) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
