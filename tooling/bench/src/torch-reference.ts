/**
 * Runs the PyTorch reference, `shared/bench/torch_lora_bench.py` (the `shared/` directory beside the repository), at
 * its best as its README asks: Debian's `/usr/bin/python3`, the `MALLOC_*` variables that keep glibc from handing
 * memory back, `OMP_WAIT_POLICY=PASSIVE`, and the same configuration and thread count as meta-lora.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './bench-options.ts';
import { round, type Throughput } from './measure-engine.ts';

export const PYTHON = '/usr/bin/python3';
/** The repository root (this file is tooling/bench/src/torch-reference.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TORCH_SCRIPT = join(REPO_ROOT, '..', 'shared', 'bench', 'torch_lora_bench.py');
/** glibc tuning from shared/bench/README.md: no trimming, large mmap threshold. */
export const TORCH_ENV = {
  MALLOC_MMAP_THRESHOLD_: '33554432',
  MALLOC_TRIM_THRESHOLD_: '68719476736',
  OMP_WAIT_POLICY: 'PASSIVE',
} as const;

/** The reference's figures, or why there are none. */
export type TorchResult =
  | {
      readonly ok: true;
      readonly figures: Throughput;
      readonly torchVersion: string;
      readonly blasThreads: number | null;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * The script's arguments for `options` at `threads` (the script resolves `--model` from the working directory, so the
 * path is made absolute).
 *
 * @example
 * torchArgs(parseBenchArgs([]), 1); // ['--threads', '1', '--batch', '8', ...]
 */
export function torchArgs(options: BenchOptions, threads: number): string[] {
  const args = [
    '--threads',
    String(threads),
    '--batch',
    String(options.batch),
    '--seq',
    String(options.seq),
    '--rank',
    String(options.rank),
    '--alpha',
    String(options.alpha),
    '--warmup',
    String(options.warmup),
    '--steps',
    String(options.steps),
    '--seed',
    String(options.seed),
  ];
  if (options.model !== null) args.push('--model', resolve(options.model));
  return args;
}

/** Whether `/usr/bin/python3` can import torch, and if not, why. */
export function torchAvailable(): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} not found` };
  if (!existsSync(TORCH_SCRIPT)) return { ok: false, reason: `${TORCH_SCRIPT} not found` };
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return { ok: false, reason: `${PYTHON} cannot import torch (apt-get install python3-torch libopenblas0-pthread)` };
  }
  return { ok: true };
}

/**
 * Runs the reference once at `threads` and converts its JSON line into the bench's figures.
 *
 * @example
 * const torch = runTorchReference(options, 1); // { ok: true, figures: { trainTokensPerS: 4639, ... } }
 */
export function runTorchReference(options: BenchOptions, threads: number): TorchResult {
  const run = spawnSync(PYTHON, [TORCH_SCRIPT, ...torchArgs(options, threads)], {
    encoding: 'utf8',
    env: { ...process.env, ...TORCH_ENV },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) {
    const err = (run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' | ');
    return { ok: false, reason: `torch_lora_bench.py exited with ${run.status}: ${err}` };
  }
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return parseTorchReport(JSON.parse(line) as Record<string, unknown>, options);
  } catch (cause) {
    return { ok: false, reason: `torch_lora_bench.py printed no JSON line (${(cause as Error).message})` };
  }
}

/**
 * Maps the reference's JSON report onto the bench's figures.
 *
 * @example
 * parseTorchReport({ threads: 1, train_step_ms_median: 221, ... }, options).figures.trainTokensPerS;
 */
export function parseTorchReport(report: Record<string, unknown>, options: BenchOptions): TorchResult {
  const num = (key: string): number => {
    const v = report[key];
    if (typeof v !== 'number') throw new Error(`field ${key} is ${JSON.stringify(v)}, not a number`);
    return v;
  };
  const tokens = options.batch * options.seq;
  const timing = (name: string) => ({ msMedian: num(`${name}_ms_median`), msMin: num(`${name}_ms_min`) });
  const perS = (ms: number) => round((tokens / ms) * 1e3, 1);
  const trainStep = timing('train_step');
  const forward = timing('forward');
  const baseForward = timing('base_forward');
  return {
    ok: true,
    torchVersion: String(report.torch_version),
    blasThreads: typeof report.blas_threads === 'number' ? report.blas_threads : null,
    figures: {
      threads: num('threads'),
      trainStep,
      forward,
      baseForward,
      trainTokensPerS: perS(trainStep.msMedian),
      forwardTokensPerS: perS(forward.msMedian),
      baseForwardTokensPerS: perS(baseForward.msMedian),
      achievedGflops: num('achieved_gflops'),
      lossFirst: num('loss_first'),
      lossLast: num('loss_last'),
    },
  };
}
