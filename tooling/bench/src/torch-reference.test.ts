import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './bench-options.ts';
import { parseTorchReport, torchArgs } from './torch-reference.ts';

describe('torchArgs', () => {
  it('passes the same configuration and thread count to the reference', () => {
    const args = torchArgs(parseBenchArgs(['--rank', '4', '--steps', '3']), 2);
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect([flag('--threads'), flag('--rank'), flag('--steps'), flag('--batch'), flag('--seq')]).toEqual([
      '2',
      '4',
      '3',
      '8',
      '128',
    ]);
  });
});

describe('parseTorchReport', () => {
  it('computes tokens/s from the median step time', () => {
    const report = {
      threads: 1,
      torch_version: '1.13.0a0',
      blas_threads: 1,
      train_step_ms_median: 256,
      train_step_ms_min: 250,
      forward_ms_median: 100,
      forward_ms_min: 99,
      base_forward_ms_median: 90,
      base_forward_ms_min: 89,
      achieved_gflops: 70,
      loss_first: 7.6,
      loss_last: 7.5,
    };
    const parsed = parseTorchReport(report, parseBenchArgs([]));
    expect(parsed.ok && parsed.figures.trainTokensPerS).toBe(4000);
  });
});
