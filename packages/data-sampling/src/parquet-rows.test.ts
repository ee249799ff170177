import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { inChildProcess, readParquetRows } from './parquet-rows.ts';

describe('readParquetRows', () => {
  it('decodes the rows in a child process, values and types intact', async () => {
    const columnData = [
      { name: 'task', data: ['a', 'b'], type: 'STRING' as const },
      { name: 'n', data: [1n, 2n], type: 'INT64' as const },
    ];
    const buffer = parquetWriteBuffer({ columnData });
    expect(await readParquetRows(buffer)).toEqual([
      { task: 'a', n: 1n },
      { task: 'b', n: 2n },
    ]);
  });

  it('refuses bytes that are not Parquet with the decoder’s message', async () => {
    await expect(readParquetRows(new TextEncoder().encode('not parquet at all').buffer)).rejects.toThrow(/parquet/i);
  });
});

describe('inChildProcess', () => {
  it('rejects when the child aborts on its heap limit, and this process goes on', async () => {
    // An array grown by push: the allocation shape that aborts a whole process from a worker thread.
    const hog = `process.once('message', () => { const a = []; for (;;) a.push({ x: a.length }); });`;
    await expect(inChildProcess(hog, {}, { heapMib: 64, ms: 60_000 })).rejects.toThrow('need more than 64 MiB');
  });

  it('rejects a child that never replies after the time limit', async () => {
    const silent = `process.once('message', () => setInterval(() => {}, 1000));`;
    await expect(inChildProcess(silent, {}, { heapMib: 64, ms: 500 })).rejects.toThrow('took longer than 1 s');
  });
});
