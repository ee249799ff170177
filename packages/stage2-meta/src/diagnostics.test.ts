import type * as fs from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { tempDir, thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it, vi } from 'vitest';
import { appendMetrics, type IterationMetrics } from './diagnostics.ts';

/** While set, `appendFileSync` writes the first half of what it is given and fails as a full disk does. */
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const appendFileSync: typeof real.appendFileSync = (path, data, options) => {
    if (!disk.full) return real.appendFileSync(path, data, options);
    real.appendFileSync(path, String(data).slice(0, String(data).length >> 1));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...real, appendFileSync };
});

const metrics = (iteration: number): IterationMetrics => ({
  iteration,
  queryLossBefore: 2,
  queryLossAfter: 1.5,
  adaptationGain: 0.5,
  taskCosine: null,
  metaGradNorm: 1,
  tasks: [],
});

describe('appendMetrics', () => {
  it('appends one JSON line per iteration', () => {
    const path = join(tempDir('meta-lora-metrics'), 'metrics.jsonl');
    appendMetrics(path, metrics(0));
    appendMetrics(path, metrics(1));
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.map((l) => (l ? JSON.parse(l).iteration : l))).toEqual([0, 1, '']);
  });

  it('on a full disk: IO_FAILED naming the file, and the line it cut is taken back', () => {
    const path = join(tempDir('meta-lora-metrics'), 'metrics.jsonl');
    writeFileSync(path, `${JSON.stringify(metrics(0))}\n`);
    const before = readFileSync(path, 'utf8');
    disk.full = true;
    try {
      const error = thrownBy(() => appendMetrics(path, metrics(1)), MetaLoraError);
      expect(error.code).toBe('IO_FAILED');
      expect(error.message).toContain(`${path}: could not append iteration 1 to ${path}: ENOSPC`);
      expect(error.message).toMatch(/fix: .*disk is not full/);
    } finally {
      disk.full = false;
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
