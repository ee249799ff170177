import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thrownBy } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { MetaLoraError } from './errors.ts';
import { readJsonFile, readJsonLines } from './read-json-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'meta-lora-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const caught = (fn: () => unknown) => thrownBy(fn, MetaLoraError);

describe('readJsonFile', () => {
  it('parses a file, ignoring a byte order mark', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, '\ufeff{"hidden_size": 64}');
    expect(readJsonFile(path)).toEqual({ hidden_size: 64 });
  });

  it('reports bad JSON as CONFIG_INVALID with the path and line', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{\n  "a": 1,\n  "b": 2,\n}\n');
    const error = caught(() => readJsonFile(path));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details).toMatchObject({ path, line: 4 });
    expect(error.message).toContain(`${path}:line 4`);
  });

  it('uses the code it is given, and reports a missing file', () => {
    const path = join(dir, 'absent.json');
    const error = caught(() => readJsonFile(path, { code: 'CHECKPOINT_INVALID', what: 'the index' }));
    expect(error.code).toBe('CHECKPOINT_INVALID');
    expect(error.message).toContain(`${path}: the index not found`);
  });
});

describe('readJsonLines', () => {
  it('parses each non-blank line with its line number, leaving a line that is not JSON undefined', () => {
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, '{"iteration":0}\n\n[1,\n{"iteration":1}\n');
    expect(readJsonLines(path)).toEqual([
      { line: 1, text: '{"iteration":0}', value: { iteration: 0 } },
      { line: 3, text: '[1,', value: undefined },
      { line: 4, text: '{"iteration":1}', value: { iteration: 1 } },
    ]);
  });

  it('reports a path it cannot read (a directory) as IO_FAILED naming it', () => {
    const error = caught(() => readJsonLines(dir));
    expect(error.code).toBe('IO_FAILED');
    expect(error.details).toMatchObject({ path: dir });
  });
});
