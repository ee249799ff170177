/**
 * Every `META_LORA_*` environment variable, declared once with what it does. Code reads them through `readEnv`, so
 * this list is the one place to learn what the environment can change (a test checks that the sources name no other).
 * Variables that change the numbers a run computes must also reach turbo's stages (`globalEnv` in turbo.json).
 */

/** Each variable and what it does; keys are the variable names. */
export const ENV_VARS = {
  META_LORA_BACKEND:
    'Forces the TF.js backend: tensorflow, wasm, cpu or auto (the default: the fastest that starts). lora-core initBackend.',
  META_LORA_NATIVE: '0 switches the native addon off: the wasm kernels run instead of the fused native ones.',
  META_LORA_OPENBLAS:
    'The BLAS library the native addon opens (a path or a name), or `none` for its built-in sgemm; default: the system OpenBLAS.',
  META_LORA_SGEMM_KERNEL:
    "The built-in sgemm's micro-kernel: avx512, avx2 or portable (default: the best the CPU has); for tests and measurements.",
  META_LORA_THREADS: 'OpenBLAS threads (default 1, the thread count the wasm backend computes on).',
  META_LORA_HEAP_GROWING:
    "0 leaves V8's young generation at its default size; otherwise stages and workers enlarge it (tuneHeap).",
  META_LORA_EXPERIMENT: 'The experiment `pnpm pipeline`, `pnpm study` and `meta-lora run` run (default: multitask).',
  META_LORA_DEBUG: 'Set: the CLI prints the stack trace of an unexpected error.',
  META_LORA_DATA_FILES:
    "Set by `pnpm pipeline`: a hash of the data files `data.json` names, so turbo's stage cache keys cover their contents.",
} as const;

/** The name of a `META_LORA_*` variable. */
export type EnvVar = keyof typeof ENV_VARS;

/**
 * The value of `name` in `env` (default: this process's environment), or undefined when it is unset.
 *
 * @example
 * readEnv('META_LORA_EXPERIMENT') ?? 'multitask';
 * readEnv('META_LORA_NATIVE', { META_LORA_NATIVE: '0' }); // '0'
 */
export function readEnv(name: EnvVar, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[name];
}
