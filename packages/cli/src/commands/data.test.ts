/**
 * `meta-lora data build` then `data sample` through `main` on a two-task user dataset, with the embedded model's
 * tokenizer counting tokens.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifact } from '@meta-lora/artifacts';
import { EpisodesArtifact } from '@meta-lora/data-sampling';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'meta-lora-cli-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rows = ['double', 'square'].flatMap((task) =>
  Array.from({ length: 40 }, (_, i) => ({
    task,
    input: `Number: ${i}\nAnswer:`,
    output: ` ${task === 'double' ? 2 * i : i * i}`,
  })),
);
const dataset = join(root, 'tasks.jsonl');
writeFileSync(dataset, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);

describe('meta-lora data sample', () => {
  it('without --tasks-per-batch, fits the tasks per meta-iteration to a dataset of fewer than 4 tasks', async () => {
    const tasks = join(root, 'data', 'tasks.arrow');
    expect((await runCli(['data', 'build', '--suite', dataset, '--out', tasks])).code).toBe(0);
    const out = join(root, 'data');
    const {
      code,
      out: printed,
      err,
    } = await runCli(['data', 'sample', '--tasks-file', tasks, '--out', out, '--k', '16']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(printed).toContain('fitted to the data: ');
    const { rows: episodes } = readArtifact(join(out, 'episodes.arrow'), EpisodesArtifact);
    expect(new Set(episodes.filter((e) => e.iteration === 0).map((e) => e.taskId))).toEqual(
      new Set(['double', 'square']),
    );
  });
});
