import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { type CellStage, runCellStages, STAGES_FINISHED } from './cell-stages.ts';

const NAMES = ['data', 'train', 'adapt', 'eval'] as const;

/** Stages that make their directory and count their runs; `failing` throws once, at its first run. */
function stages(runDir: string, runs: Record<string, number>, failing?: string): CellStage[] {
  let failed = false;
  return NAMES.map(
    (name): CellStage => [
      name,
      async () => {
        runs[name] = (runs[name] ?? 0) + 1;
        if (name === failing && !failed) {
          failed = true;
          throw new Error(`${name} failed`);
        }
        mkdirSync(join(runDir, name), { recursive: true });
      },
    ],
  );
}

describe('runCellStages', () => {
  const log = () => {};

  it('resumes a cell at the stage that failed, running none of the finished ones again', async () => {
    const dir = tempDir('cell-stages');
    const runs: Record<string, number> = {};
    const cell = stages(dir, runs, 'eval');
    await expect(runCellStages(dir, 'id', 'abc', cell, log)).rejects.toThrow('eval failed');
    const { reused } = await runCellStages(dir, 'id', 'abc', cell, log);
    expect(reused).toEqual(['data', 'train', 'adapt']);
    expect(runs).toEqual({ data: 1, train: 1, adapt: 1, eval: 2 });
  });

  it('keeps the seconds and the commit of each reused stage from the run that finished it', async () => {
    const dir = tempDir('cell-stages');
    const cell = stages(dir, {});
    await runCellStages(dir, 'id', 'abc', cell, log);
    const record = { identity: 'id', stages: [{ name: 'data', seconds: 123, commit: 'old' }] };
    writeFileSync(join(dir, STAGES_FINISHED), JSON.stringify(record));
    const { stages: seconds, commits } = await runCellStages(dir, 'id', 'abc', cell, log);
    expect(seconds.data).toBe(123);
    expect(seconds.train).toBeLessThan(123);
    expect(commits).toEqual({ data: 'old', train: 'abc', adapt: 'abc', eval: 'abc' });
  });

  it('runs every stage again for a cell of another identity', async () => {
    const dir = tempDir('cell-stages');
    const runs: Record<string, number> = {};
    await runCellStages(dir, 'old', 'abc', stages(dir, runs), log);
    const { reused } = await runCellStages(dir, 'new', 'abc', stages(dir, runs), log);
    expect(reused).toEqual([]);
    expect(runs).toEqual({ data: 2, train: 2, adapt: 2, eval: 2 });
  });

  it('runs the stages after one that ran again, though they had finished', async () => {
    const dir = tempDir('cell-stages');
    const runs: Record<string, number> = {};
    await runCellStages(dir, 'id', 'abc', stages(dir, runs), log);
    // train's directory is gone: train runs again, and so do the stages that read its outputs.
    rmSync(join(dir, 'train'), { recursive: true });
    const { reused } = await runCellStages(dir, 'id', 'abc', stages(dir, runs), log);
    expect(reused).toEqual(['data']);
    expect(runs).toEqual({ data: 1, train: 2, adapt: 2, eval: 2 });
  });

  it('runs every stage when the record is torn, and says so', async () => {
    const dir = tempDir('cell-stages');
    const runs: Record<string, number> = {};
    await runCellStages(dir, 'id', 'abc', stages(dir, runs), log);
    writeFileSync(join(dir, STAGES_FINISHED), '{"identity": "id", "stag');
    const lines: string[] = [];
    const { reused } = await runCellStages(dir, 'id', 'abc', stages(dir, runs), (l) => lines.push(l));
    expect(reused).toEqual([]);
    expect(lines.join('\n')).toMatch(/is not a record of finished stages: running every stage/);
  });
});
