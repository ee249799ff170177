import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { tableFromArrowIPC } from './arrow-ipc.ts';
import { isMetaLoraError } from './errors.ts';

const source = { path: 'x.arrow', code: 'DATA_INVALID', fix: 'write it again' } as const;
const table = tableFromArrays({ task: ['a', 'b', 'c'], n: Int32Array.from([1, 2, 3]) });

describe('tableFromArrowIPC', () => {
  it('decodes the file and the stream format', () => {
    for (const format of ['file', 'stream'] as const) {
      const decoded = tableFromArrowIPC(tableToIPC(table, format), source);
      expect(decoded.numRows).toBe(3);
      expect(decoded.getChild('task')?.toArray()).toEqual(['a', 'b', 'c']);
    }
  });

  it('decodes or refuses, never hangs on, a file with any 16- or 32-bit word set to its largest or to -1', () => {
    // apache-arrow alone loops 2^31 times on some of these (a vector length, a row count), and forever on a file
    // block whose message type it does not expect (a vtable whose size reads as -1 hides the type).
    const edits = [
      (v: DataView, at: number) => v.setUint32(at, 0x7fffffff, true),
      (v: DataView, at: number) => v.setUint32(at, 0xffffffff, true),
      (v: DataView, at: number) => v.setUint16(at, 0x7fff, true),
      (v: DataView, at: number) => v.setUint16(at, 0xffff, true),
    ];
    for (const format of ['file', 'stream'] as const) {
      const bytes = tableToIPC(table, format);
      let refused = 0;
      for (let at = 0; at + 4 <= bytes.length; at += 2) {
        for (const edit of edits) {
          const bent = bytes.slice();
          edit(new DataView(bent.buffer), at);
          try {
            tableFromArrowIPC(bent, source);
          } catch (error) {
            expect(isMetaLoraError(error), String(error)).toBe(true);
            expect((error as Error).message).toMatch(/^x\.arrow: not an Arrow IPC file: /);
            refused++;
          }
        }
      }
      expect(refused).toBeGreaterThan(0);
    }
  });

  it('refuses a file block whose message vtable size reads as -1 (apache-arrow rereads that block forever)', () => {
    const bytes = tableToIPC(table, 'file');
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // footer → recordBatches[0].offset → that message's root table → its vtable (FlatBuffers: uoffsets, soffset)
    const footer = bytes.length - 10 - v.getInt32(bytes.length - 10, true);
    const root = footer + v.getUint32(footer, true);
    const rootVtable = root - v.getInt32(root, true);
    const blocksAt = root + v.getInt16(rootVtable + 4 + 2 * 3, true);
    const blocks = blocksAt + v.getUint32(blocksAt, true);
    const message = Number(v.getBigInt64(blocks + 4, true));
    const table0 = message + 8 + v.getUint32(message + 8, true);
    v.setInt16(table0 - v.getInt32(table0, true), -1, true);
    expect(() => tableFromArrowIPC(bytes, source)).toThrow(/header type 0/);
  });

  it('refuses bytes that are not Arrow IPC with the given code', () => {
    const error = (() => {
      try {
        tableFromArrowIPC(new TextEncoder().encode('ARROW1 but nothing else'), { ...source, code: 'ARTIFACT_INVALID' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: 'ARTIFACT_INVALID', details: { path: 'x.arrow', fix: 'write it again' } });
  });
});
