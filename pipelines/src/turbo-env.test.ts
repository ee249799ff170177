/**
 * `pnpm pipeline` runs each stage through turbo, which hands a task only the environment variables turbo.json names
 * (strict mode); `pnpm study` and `meta-lora` run without turbo and see the whole environment. A variable that changes
 * the numbers must therefore reach turbo's stages too, or the same configuration gives other bytes under `pnpm
 * pipeline` than under `pnpm study`. It happened: OPENBLAS_CORETYPE=Haswell was set in the shell, turbo dropped it,
 * OpenBLAS picked its Cooperlake kernels instead and the losses differed from the 7th digit on (issue 16).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './run-dir.ts';

/** Variables that select the kernels the numbers come from: meta-lora's own and OpenBLAS's. */
const NUMERIC_ENV = [
  'META_LORA_BACKEND', // tensorflow | wasm | cpu
  'META_LORA_NATIVE', // 0: the WebAssembly kernels instead of the native addon
  'META_LORA_OPENBLAS', // which BLAS library, or `none` for the built-in sgemm
  'META_LORA_SGEMM_KERNEL', // the built-in sgemm's micro-kernel
  'META_LORA_THREADS', // OpenBLAS threads
  'OPENBLAS_CORETYPE', // OpenBLAS DYNAMIC_ARCH: the CPU kernels (Haswell, SkylakeX, Cooperlake, …)
  'OPENBLAS_NUM_THREADS',
];

/** Whether turbo passes `name` to every task: a `globalEnv` entry names it or matches it with a trailing `*`. */
function passedToEveryTask(globalEnv: readonly string[], name: string): boolean {
  return globalEnv.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === name));
}

describe('turbo.json', () => {
  const turbo = JSON.parse(readFileSync(join(REPO_ROOT, 'turbo.json'), 'utf8')) as { globalEnv?: string[] };

  it.each(NUMERIC_ENV)('passes %s to every stage (and keys the stage cache on it)', (name) => {
    expect(passedToEveryTask(turbo.globalEnv ?? [], name)).toBe(true);
  });
});
