import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it('reads quoted commas, escaped quotes and multi-line cells', () => {
    const records = parseCsv('a,b\n"x, y","say ""hi""\nthere"\n', 'f.csv');
    expect(records).toEqual([{ line: 2, cells: { a: 'x, y', b: 'say "hi"\nthere' } }]);
  });
  it('reports the line of a row with the wrong number of cells', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', 'f.csv')).toThrow(/f\.csv:line 3: 1 cells/);
  });
});
