import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@meta-lora/lora-core';
import { tempDir } from '@meta-lora/vitest-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL_CELL_RUNS_DIR, EvalCellCache } from './eval-cell-cache.ts';
import { evaluate } from './evaluate.ts';
import { writeFixtureRun } from './test-fixtures.ts';

await initBackend({ quiet: true });
const root = tempDir('meta-lora-eval-cells');
const { modelDir, tasksPath, conditions } = await writeFixtureRun(root, { tokenizer: true });
const total = conditions.length * 2;

/** An evaluation into `dir`; `stopAfter` makes it fail after that many cells, as a killed run would stop. */
const run = (dir: string, stopAfter = Number.POSITIVE_INFINITY, extra: Partial<Parameters<typeof evaluate>[0]> = {}) =>
  evaluate({
    modelDir,
    tasksPath,
    conditions,
    maxNewTokens: 4,
    outPath: join(dir, 'eval-results.arrow'),
    ...extra,
    onProgress: (done) => {
      if (done >= stopAfter) throw new Error('stopped');
    },
  });
const bytes = (dir: string) =>
  ['eval-results.arrow', 'eval-cells.arrow', 'eval-examples.arrow'].map((f) => readFileSync(join(dir, f)));

/** Stops a run in `dir` after `after` cells and sets one kept cell's score to 12.5, which no scoring gives. */
async function doctoredRun(dir: string, after: number): Promise<void> {
  await expect(run(dir, after)).rejects.toThrow('stopped');
  const cache = new EvalCellCache(join(dir, EVAL_CELL_RUNS_DIR));
  const key = (readdirSync(join(dir, EVAL_CELL_RUNS_DIR))[0] as string).replace(/\.json$/, '');
  const kept = cache.read(key)!;
  cache.write(key, { ...kept, row: { ...kept.row, score: 12.5 } });
}

describe('evaluate keeps finished cells', () => {
  const reference = tempDir('meta-lora-eval-cells-ref');
  beforeAll(() => run(reference));

  it('keeps the cells scored before a stop, and the rerun writes the bytes of an uninterrupted run', async () => {
    const dir = tempDir('meta-lora-eval-cells-stopped');
    await expect(run(dir, 3)).rejects.toThrow('stopped');
    expect(readdirSync(join(dir, EVAL_CELL_RUNS_DIR))).toHaveLength(3);
    await run(dir);
    expect(bytes(dir)).toEqual(bytes(reference));
    expect(existsSync(join(dir, EVAL_CELL_RUNS_DIR))).toBe(false); // cleared once the artifacts are written
  });

  it('takes a kept cell instead of scoring it again', async () => {
    const dir = tempDir('meta-lora-eval-cells-kept');
    await doctoredRun(dir, 1);
    const { rows } = await run(dir);
    expect(rows.filter((r) => r.score === 12.5)).toHaveLength(1);
    expect(rows).toHaveLength(total);
  });

  it('scores every cell again under another scoring setting', async () => {
    const dir = tempDir('meta-lora-eval-cells-setting');
    await doctoredRun(dir, 1);
    const { rows } = await run(dir, Number.POSITIVE_INFINITY, { maxNewTokens: 5 });
    expect(rows.filter((r) => r.score === 12.5)).toHaveLength(0);
  });

  it('resumes on worker threads, each kept cell at its place', async () => {
    const dir = tempDir('meta-lora-eval-cells-workers');
    await expect(run(dir, 3)).rejects.toThrow('stopped');
    await run(dir, Number.POSITIVE_INFINITY, { workers: 2 });
    expect(bytes(dir)).toEqual(bytes(reference));
  });

  it('scores a kept cell of another shape again', async () => {
    const dir = tempDir('meta-lora-eval-cells-shape');
    await expect(run(dir, 1)).rejects.toThrow('stopped');
    const cache = new EvalCellCache(join(dir, EVAL_CELL_RUNS_DIR));
    const key = (readdirSync(join(dir, EVAL_CELL_RUNS_DIR))[0] as string).replace(/\.json$/, '');
    cache.write(key, { ...cache.read(key)!, row: { method: 'no-such-method' } } as never);
    expect(cache.read(key)).toBeUndefined();
    await run(dir);
    expect(bytes(dir)).toEqual(bytes(reference));
  });

  it('scores a torn kept cell again', async () => {
    const dir = tempDir('meta-lora-eval-cells-torn');
    await expect(run(dir, 2)).rejects.toThrow('stopped');
    const cells = join(dir, EVAL_CELL_RUNS_DIR);
    for (const f of readdirSync(cells)) writeFileSync(join(cells, f), '{"key": "');
    await run(dir);
    expect(bytes(dir)).toEqual(bytes(reference));
  });
});
