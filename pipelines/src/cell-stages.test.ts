import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    await expect(runCellStages(dir, 'id', cell, log)).rejects.toThrow('eval failed');
    const { reused } = await runCellStages(dir, 'id', cell, log);
    expect(reused).toEqual(['data', 'train', 'adapt']);
    expect(runs).toEqual({ data: 1, train: 1, adapt: 1, eval: 2 });
  });

  it('keeps the seconds each reused stage took in the run that finished it', async () => {
    const dir = tempDir('cell-stages');
    const cell = stages(dir, {}, 'adapt');
    await expect(runCellStages(dir, 'id', cell, log)).rejects.toThrow();
    const before = JSON.parse(readFileSync(join(dir, STAGES_FINISHED), 'utf8')).stages;
    const { stages: seconds } = await runCellStages(dir, 'id', cell, log);
    expect(Object.keys(seconds)).toEqual([...NAMES]);
    expect([seconds.data, seconds.train]).toEqual(before.map((s: { seconds: number }) => s.seconds));
  });

  it('runs every stage again for a cell of another identity', async () => {
    const dir = tempDir('cell-stages');
    const runs: Record<string, number> = {};
    await runCellStages(dir, 'old', stages(dir, runs), log);
    const { reused } = await runCellStages(dir, 'new', stages(dir, runs), log);
    expect(reused).toEqual([]);
    expect(runs).toEqual({ data: 2, train: 2, adapt: 2, eval: 2 });
  });

  it('runs the stages after one that ran again, though they had finished', async () => {
    const dir = tempDir('cell-stages');
    const runs: Record<string, number> = {};
    await runCellStages(dir, 'id', stages(dir, runs), log);
    // train's directory is gone: train runs again, and so do the stages that read its outputs.
    rmSync(join(dir, 'train'), { recursive: true });
    const { reused } = await runCellStages(dir, 'id', stages(dir, runs), log);
    expect(reused).toEqual(['data']);
    expect(runs).toEqual({ data: 1, train: 2, adapt: 2, eval: 2 });
  });

  it('runs every stage when the record is torn, and says so', async () => {
    const dir = tempDir('cell-stages');
    const runs: Record<string, number> = {};
    await runCellStages(dir, 'id', stages(dir, runs), log);
    writeFileSync(join(dir, STAGES_FINISHED), '{"identity": "id", "stag');
    const lines: string[] = [];
    const { reused } = await runCellStages(dir, 'id', stages(dir, runs), (l) => lines.push(l));
    expect(reused).toEqual([]);
    expect(lines.join('\n')).toMatch(/is not a record of finished stages: running every stage/);
  });
});
