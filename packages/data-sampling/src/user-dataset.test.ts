import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { tempDir } from '@meta-lora/vitest-config';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { parseDataConfig } from './config.ts';
import { loadUserDatasets } from './user-dataset.ts';

const split = parseDataConfig({}).split;

function file(name: string, content: string | Uint8Array | ArrayBuffer): string {
  const path = join(tempDir('meta-lora-user'), name);
  writeFileSync(path, content instanceof ArrayBuffer ? new Uint8Array(content) : content);
  return path;
}

function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n');
}

function pairs(task: string, n: number, extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({ task, input: `question ${i}`, output: ` answer ${i}`, ...extra }));
}

/** Two rows of task `t` as columns (inputs `a`, `b`; outputs ` x`, ` y`), with `extra` columns added or replaced. */
function columns(extra: Record<string, string[]>): Record<string, string[]> {
  return { task: ['t', 't'], input: ['a', 'b'], output: [' x', ' y'], ...extra };
}

/** A Parquet file of string `columns`. */
function parquet(strings: Record<string, string[]>): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: Object.entries(strings).map(([name, data]) => ({ name, data, type: 'STRING' })),
  });
}

async function failure(promise: Promise<unknown>): Promise<MetaLoraError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MetaLoraError) return error;
    throw error;
  }
  throw new Error('expected a MetaLoraError');
}

describe('loadUserDatasets', () => {
  it.each([
    ['a traversal', '../../../../outside/x'],
    ['an absolute path', '/tmp/outside'],
    ['a backslash path', '..\\..\\outside'],
    ['a NUL byte', 'task\u0000x'],
    ['a 10,000-character id', 'x'.repeat(10_000)],
  ])('refuses a task id that is %s, naming the file, line and field', async (_, task) => {
    const rows = [...pairs('qa', 3), { task, input: 'q', output: ' a' }];
    const path = file('bad-id.jsonl', jsonl(rows));
    const error = await failure(loadUserDatasets([path], { split }));
    expect(error.code).toBe('DATA_INVALID');
    expect(error.details).toMatchObject({ path, line: 4, field: 'task' });
  });

  it('refuses a language that is not a plain name', async () => {
    const error = await failure(
      loadUserDatasets([file('lang.jsonl', jsonl(pairs('qa', 3, { language: '../x' })))], { split }),
    );
    expect(error.details).toMatchObject({ line: 1, field: 'language' });
  });

  it('reads JSONL pairs and splits a task without splits by hash', async () => {
    const examples = await loadUserDatasets([file('a.jsonl', jsonl(pairs('qa', 50)))], { split });
    expect([examples.length, new Set(examples.map((e) => e.split)).size]).toEqual([50, 3]);
  });

  it('turns chat messages into a prompt and the last assistant reply', async () => {
    const row = {
      task: 'chat',
      split: 'train',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
    };
    const [example] = await loadUserDatasets([file('c.jsonl', jsonl([row]))], { split });
    expect([example!.input, example!.target]).toEqual(['User: Hi\nAssistant:', ' Hello!']);
  });

  it('reads CSV with JSON choices', async () => {
    const csv = 'task,input,output,choices,split\nyn,"Is it, really?", yes,"["" yes"","" no""]",train\n';
    const [example] = await loadUserDatasets([file('a.csv', csv)], { split });
    expect(example!.choices).toEqual([' yes', ' no']);
  });

  it('reads Arrow IPC files', async () => {
    const table = tableFromArrays(columns({ split: ['train', 'test'] }));
    const examples = await loadUserDatasets([file('a.arrow', tableToIPC(table, 'file'))], { split });
    expect(examples.map((e) => e.input)).toEqual(['a', 'b']);
  });

  it('reads Parquet files', async () => {
    const buffer = parquet(columns({ split: ['train', 'dev'] }));
    const examples = await loadUserDatasets([file('a.parquet', buffer)], { split });
    expect(examples.map((e) => [e.input, e.split])).toEqual([
      ['a', 'train'],
      ['b', 'dev'],
    ]);
  });

  it('reports a bad JSON line with path and line number', async () => {
    const path = file('bad.jsonl', `${jsonl(pairs('t', 2))}\n{"task": "t", "input": `);
    const error = await failure(loadUserDatasets([path], { split }));
    expect([error.code, error.details.path, error.details.line]).toEqual(['DATA_INVALID', path, 3]);
  });

  it('reports a missing field by name', async () => {
    const path = file('missing.jsonl', jsonl([{ task: 't', input: 'a' }]));
    const error = await failure(loadUserDatasets([path], { split }));
    expect([error.code, error.details.line, error.details.field]).toEqual(['DATA_INVALID', 1, 'output']);
  });

  it('reports a field of the wrong type with its value', async () => {
    const path = file('type.jsonl', jsonl([...pairs('t', 1), { task: 't', input: 5, output: ' x' }]));
    const error = await failure(loadUserDatasets([path], { split }));
    expect([error.code, error.details.line, error.details.field, error.details.value]).toEqual([
      'DATA_INVALID',
      2,
      'input',
      5,
    ]);
  });

  it('reports the row number of a bad Parquet row', async () => {
    const buffer = parquet(columns({ output: [' x', ''] }));
    const error = await failure(loadUserDatasets([file('bad.parquet', buffer)], { split }));
    expect([error.code, error.details.line, error.details.field]).toEqual(['DATA_INVALID', 2, 'output']);
  });

  it('refuses a task without train examples', async () => {
    const path = file(
      'empty.jsonl',
      jsonl([...pairs('a', 3, { split: 'train' }), ...pairs('b', 2, { split: 'test' })]),
    );
    const error = await failure(loadUserDatasets([path], { split }));
    expect([error.code, error.details.value]).toEqual(['EMPTY_TASK', 'b']);
  });

  it('refuses a file without examples', async () => {
    expect((await failure(loadUserDatasets([file('none.jsonl', '\n')], { split }))).code).toBe('EMPTY_TASK');
  });

  it('refuses a test input that is also a train input, near-duplicates included', async () => {
    const rows = [
      { task: 't', input: 'What is 2+2?', output: ' 4', split: 'train' },
      { task: 't', input: 'what is 2 + 2', output: ' 4', split: 'test' },
    ];
    const error = await failure(loadUserDatasets([file('leak.jsonl', jsonl(rows))], { split }));
    expect([error.code, error.details.line, error.message]).toEqual([
      'DATA_INVALID',
      2,
      expect.stringMatching(/also appears in train/),
    ]);
  });

  it('refuses an output that is not among its choices', async () => {
    const rows = [{ task: 't', input: 'q', output: 'yes', choices: [' yes', ' no'] }];
    const error = await failure(loadUserDatasets([file('choices.jsonl', jsonl(rows))], { split }));
    expect([error.code, error.details.field]).toEqual(['DATA_INVALID', 'output']);
  });

  it('refuses an unknown column', async () => {
    const error = await failure(loadUserDatasets([file('extra.jsonl', jsonl(pairs('t', 1, { label: 1 })))], { split }));
    expect([error.code, error.details.field]).toEqual(['DATA_INVALID', 'label']);
  });
});

describe('readUserRows', () => {
  it('ignores a byte-order mark at the start of a JSONL file', async () => {
    const content = `\uFEFF${jsonl(pairs('t', 1, { split: 'train' }))}`;
    const examples = await loadUserDatasets([file('bom.jsonl', content)], { split });
    expect(examples[0]!.taskId).toBe('t');
  });
});
