/**
 * A small RFC 4180 CSV reader: comma separated, `"` quoting with `""` escapes, quoted cells may span lines. Enough for
 * user datasets without another dependency; errors name the file and line.
 */
import { MetaLoraError } from '@meta-lora/artifacts';

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  readonly line: number;
  readonly cells: Record<string, string>;
}

/**
 * Parses CSV text with a header row into records keyed by column name.
 *
 * @example
 * parseCsv('task,input,output\nt,"a, b",c\n', 'x.csv'); // [{ line: 2, cells: { task: 't', input: 'a, b', output: 'c' } }]
 */
export function parseCsv(text: string, path: string): CsvRecord[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let atCellStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && atCellStart) {
      quoted = true;
      atCellStart = false;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      atCellStart = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== '') rows.push({ line: start, cells });
      cells = [];
      cell = '';
      atCellStart = true;
      line++;
      start = line;
    } else {
      cell += c;
      atCellStart = false;
    }
  }
  if (quoted) {
    throw new MetaLoraError('DATA_INVALID', 'unterminated quoted cell', {
      path,
      line: start,
      fix: 'close the quote; write a literal quote inside a quoted cell as ""',
    });
  }
  cells.push(cell);
  if (cells.length > 1 || cells[0] !== '') rows.push({ line: start, cells });
  const [header, ...body] = rows;
  if (!header) return [];
  const names = header.cells.map((name) => name.trim());
  return body.map(({ line: at, cells: values }) => {
    if (values.length !== names.length) {
      throw new MetaLoraError('DATA_INVALID', `${values.length} cells, but the header has ${names.length} columns`, {
        path,
        line: at,
        value: values,
        fix: `give every row the header's columns (${names.join(', ')}); quote cells that contain commas`,
      });
    }
    return { line: at, cells: Object.fromEntries(names.map((name, i) => [name, values[i]!])) };
  });
}
