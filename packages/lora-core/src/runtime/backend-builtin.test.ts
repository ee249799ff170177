/**
 * The matmul paths of the wasm backend give the same training: a few LoRA steps with OpenBLAS (where installed), with
 * the addon's built-in sgemm (forced by META_LORA_OPENBLAS=none, and reached by an OpenBLAS that cannot be opened),
 * and on the WebAssembly kernels (META_LORA_NATIVE=0). Each runs in a child process, since the path is chosen once per
 * process.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ADDON_PATH } from '@meta-lora/native-blas';
import { describe, expect, it } from 'vitest';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'train-step-child.ts');

interface ChildRun {
  readonly matmul: string;
  readonly nativeKernels: boolean;
  readonly losses: number[];
  readonly stderr: string;
}

async function trainInChild(env: Record<string, string>): Promise<ChildRun> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@meta-lora/source', '--import', 'tsx', CHILD],
    {
      env: { ...process.env, META_LORA_BACKEND: 'wasm', META_LORA_OPENBLAS: '', META_LORA_NATIVE: '', ...env },
      encoding: 'utf8',
    },
  );
  return { ...(JSON.parse(stdout.trim().split('\n').at(-1) as string) as Omit<ChildRun, 'stderr'>), stderr };
}

function expectSameLosses(got: readonly number[], want: readonly number[]): void {
  expect(got).toHaveLength(want.length);
  for (const [i, loss] of got.entries()) {
    expect(Math.abs(loss / (want[i] as number) - 1), `step ${i}: ${loss} vs ${want[i]}`).toBeLessThan(1e-4);
  }
}

describe.skipIf(!existsSync(ADDON_PATH))('training on the built-in sgemm', () => {
  it('matches OpenBLAS and the wasm kernels step for step, and says which path ran', async () => {
    const [auto, forced, fallback, wasm] = await Promise.all([
      trainInChild({}),
      trainInChild({ META_LORA_OPENBLAS: 'none' }),
      trainInChild({ META_LORA_OPENBLAS: '/nonexistent/libopenblas.so.0' }),
      trainInChild({ META_LORA_NATIVE: '0' }),
    ]);
    expect(forced).toMatchObject({ matmul: expect.stringMatching(/^built-in sgemm \(.*META_LORA_OPENBLAS=none\)$/) });
    expect(fallback).toMatchObject({ matmul: expect.stringMatching(/^built-in sgemm \(.*; no OpenBLAS found\)$/) });
    expect([auto.nativeKernels, forced.nativeKernels, fallback.nativeKernels, wasm.nativeKernels]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(auto.losses.at(-1) as number).toBeLessThan(auto.losses[0] as number);
    expectSameLosses(forced.losses, auto.losses);
    expectSameLosses(fallback.losses, auto.losses);
    expectSameLosses(forced.losses, wasm.losses);
  }, 180_000);

  it('notes a missing OpenBLAS in one line, and not when META_LORA_OPENBLAS=none chose the built-in sgemm', async () => {
    const [forced, fallback] = await Promise.all([
      trainInChild({ META_LORA_OPENBLAS: 'none' }),
      trainInChild({ META_LORA_OPENBLAS: '/nonexistent/libopenblas.so.0' }),
    ]);
    const notes = (run: ChildRun) => run.stderr.split('\n').filter((line) => line.startsWith('meta-lora: matmuls run'));
    expect(notes(forced)).toEqual([]);
    expect(notes(fallback)).toEqual([
      expect.stringMatching(/^meta-lora: matmuls run on the addon's built-in sgemm \(.*no OpenBLAS found\); OpenBLAS/),
    ]);
    expect(fallback.stderr).not.toMatch(/SLOW PATH/);
  }, 180_000);
});
