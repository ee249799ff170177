/**
 * `pnpm pipeline` keys turbo's stage cache on the contents of the user's data files (`data.json`'s `paths`), which turbo
 * cannot glob: tooling/scripts/turbo-pipeline.mjs hashes them into META_LORA_DATA_FILES, part of every stage's key.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFilesHash } from '../../../tooling/scripts/turbo-pipeline.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pipeline-data-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const experiment = join(dir, 'exp');
mkdirSync(experiment, { recursive: true });
const data = join(dir, 'tasks.jsonl');
writeFileSync(join(experiment, 'data.json'), JSON.stringify({ paths: ['../tasks.jsonl'] }));

describe('pnpm pipeline: the data files in the stage cache key', () => {
  it('leaves the key alone for a built-in suite (no paths)', () => {
    expect(dataFilesHash(join(ROOT, 'pipelines', 'experiments', 'multitask'))).toBeUndefined();
  });

  it('changes with one byte of a data file, and only then', () => {
    writeFileSync(data, '{"task":"a","input":"x","target":"y"}\n');
    const before = dataFilesHash(experiment, experiment);
    expect(dataFilesHash(experiment, experiment)).toBe(before);
    writeFileSync(data, '{"task":"a","input":"x","target":"z"}\n');
    expect(dataFilesHash(experiment, experiment)).not.toBe(before);
  });

  it('hashes a missing file instead of failing (the data stage names it)', () => {
    writeFileSync(join(experiment, 'data.json'), JSON.stringify({ paths: ['../nowhere.jsonl'] }));
    expect(dataFilesHash(experiment, experiment)).toMatch(/^sha256:[0-9a-f]{64}$/);
    writeFileSync(join(experiment, 'data.json'), JSON.stringify({ paths: ['../tasks.jsonl'] }));
  });

  it('turbo keys every stage on META_LORA_DATA_FILES', () => {
    const hashes = (value: string) => {
      const dry = execFileSync(
        join(ROOT, 'node_modules', '.bin', 'turbo'),
        ['run', 'pipeline', '--dry=json', '--filter', '@meta-lora/pipelines'],
        {
          cwd: ROOT,
          env: { ...process.env, META_LORA_DATA_FILES: value, TURBO_TELEMETRY_DISABLED: '1' },
          encoding: 'utf8',
        },
      );
      const tasks = (JSON.parse(dry) as { tasks: { taskId: string; hash: string }[] }).tasks;
      return new Map(tasks.map((t) => [t.taskId, t.hash]));
    };
    const a = hashes('sha256:a');
    const b = hashes('sha256:b');
    for (const stage of ['data', 'train', 'adapt', 'eval', 'report', 'pipeline']) {
      const id = `@meta-lora/pipelines#${stage}`;
      expect(a.get(id), id).toBeDefined();
      expect(a.get(id), id).not.toBe(b.get(id));
    }
  });
});
