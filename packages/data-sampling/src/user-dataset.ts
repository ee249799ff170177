/**
 * User datasets: JSONL, CSV, Arrow IPC and Parquet files of examples, validated row by row.
 *
 * A row is either a pair `{ task, input, output, choices?, split?, language? }` or a chat
 * `{ task, messages: [{ role, content }…], split?, language? }` whose last message (the assistant's) is the target and
 * whose earlier messages, rendered `Role: content` one per line and followed by `Assistant:`, are the input.
 * CSV cells `choices` and `messages` hold JSON. Inputs and outputs are used exactly as given: the built-in convention
 * (prompt without trailing space, target with a leading space) is a recommendation, not a rewrite.
 *
 * Splits: when no row of a task names a split, the task is split by content hash like the built-in suites; when some
 * do, rows without one are train. A dev/test input equal (after `normalizeText`) to a train input is refused.
 */
import { extname } from 'node:path';
import { assertSafeName, MetaLoraError, readFileBytes, showValue, tableFromArrowIPC } from '@meta-lora/artifacts';
import * as z from 'zod';
import { parseCsv } from './csv.ts';
import { type Example, SPLITS, type Split } from './example.ts';
import { normalizeText } from './normalize.ts';
import { readParquetRows } from './parquet-rows.ts';
import { assignSplits, type RawExample, type SplitSizes } from './split.ts';

const common = {
  task: z.string().min(1).describe('task name'),
  split: z.enum(SPLITS).optional().describe('train, dev or test; absent: chosen by content hash'),
  language: z.string().min(1).optional().describe('ISO 639-1 code; absent: `und`'),
};

export const UserPairRowSchema = z.strictObject({
  ...common,
  input: z.string().min(1).describe('the prompt'),
  output: z.string().min(1).describe('the expected continuation'),
  choices: z.array(z.string().min(1)).min(2).optional().describe('label set of a classification task'),
});

export const UserChatRowSchema = z.strictObject({
  ...common,
  messages: z
    .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
    .min(2)
    .describe('a conversation ending with the assistant reply to learn'),
});

export type UserPairRow = z.infer<typeof UserPairRowSchema>;
export type UserChatRow = z.infer<typeof UserChatRowSchema>;

/** One row of a user file before validation, with where it came from. */
interface Located {
  readonly path: string;
  /** 1-based line (JSONL, CSV) or row (Arrow, Parquet). */
  readonly line: number;
  readonly value: unknown;
}

const FORMATS = ['.jsonl', '.ndjson', '.csv', '.arrow', '.ipc', '.feather', '.parquet'];

/**
 * Reads the rows of one user file, unvalidated, each with its line or row number.
 *
 * @example
 * const rows = await readUserRows('data/my-tasks.jsonl');
 */
export async function readUserRows(path: string): Promise<Located[]> {
  const ext = extname(path).toLowerCase();
  if (!FORMATS.includes(ext)) {
    throw new MetaLoraError('DATA_INVALID', `unsupported file type ${showValue(ext || '(none)')}`, {
      path,
      value: ext,
      fix: `use one of ${FORMATS.join(', ')}`,
    });
  }
  const bytes = readFileBytes(path, 'dataset');
  const text = () => bytes.toString('utf8').replace(/^\uFEFF/, ''); // editors and spreadsheets may write a BOM
  if (ext === '.jsonl' || ext === '.ndjson') return jsonlRows(text(), path);
  if (ext === '.csv') return csvRows(text(), path);
  if (ext === '.parquet') return parquetRows(bytes, path);
  return arrowRows(bytes, path);
}

function jsonlRows(text: string, path: string): Located[] {
  const out: Located[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      out.push({ path, line: i + 1, value: JSON.parse(raw) });
    } catch (cause) {
      throw new MetaLoraError(
        'DATA_INVALID',
        `not valid JSON (${(cause as Error).message}): ${showValue(raw)}`,
        { path, line: i + 1, value: raw, fix: 'write one JSON object per line' },
        { cause },
      );
    }
  });
  return out;
}

function csvRows(text: string, path: string): Located[] {
  return parseCsv(text, path).map(({ line, cells }) => {
    const value: Record<string, unknown> = {};
    for (const [name, cell] of Object.entries(cells)) {
      if (cell === '') continue; // an empty cell is an absent field
      if (name === 'choices' || name === 'messages') {
        try {
          value[name] = JSON.parse(cell);
        } catch (cause) {
          throw new MetaLoraError(
            'DATA_INVALID',
            `\`${name}\` must hold a JSON array, got ${showValue(cell)}`,
            {
              path,
              line,
              field: name,
              value: cell,
              fix: `write \`${name}\` as JSON, e.g. ["yes","no"], quoted as a CSV cell`,
            },
            { cause },
          );
        }
      } else {
        value[name] = cell;
      }
    }
    return { path, line, value };
  });
}

function arrowRows(bytes: Uint8Array, path: string): Located[] {
  const table = tableFromArrowIPC(bytes, {
    path,
    code: 'DATA_INVALID',
    fix: 'write the file with an Arrow IPC (file or stream) writer',
  });
  const names = table.schema.fields.map((f) => f.name);
  const out: Located[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const value: Record<string, unknown> = {};
    for (const name of names) {
      const cell = plain(table.getChild(name)?.get(i));
      if (cell !== null && cell !== undefined) value[name] = cell;
    }
    out.push({ path, line: i + 1, value });
  }
  return out;
}

/** Arrow cells as plain JS: vectors to arrays, struct rows to objects, recursively. */
function plain(cell: unknown): unknown {
  if (cell === null || typeof cell !== 'object') return cell;
  if (Symbol.iterator in cell && typeof (cell as { toArray?: unknown }).toArray === 'function') {
    return Array.from(cell as Iterable<unknown>, plain);
  }
  if (typeof (cell as { toJSON?: unknown }).toJSON === 'function') {
    const json = (cell as { toJSON: () => Record<string, unknown> }).toJSON();
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, plain(v)]));
  }
  return cell;
}

async function parquetRows(bytes: Buffer, path: string): Promise<Located[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = await readParquetRows(file);
  } catch (cause) {
    throw new MetaLoraError(
      'DATA_INVALID',
      `not a readable Parquet file: ${(cause as Error).message}`,
      { path, fix: 'write the file with a Parquet writer (pyarrow, polars, hyparquet-writer)' },
      { cause },
    );
  }
  return rows.map((row, i) => {
    const value: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) if (v !== null && v !== undefined) value[k] = v;
    return { path, line: i + 1, value };
  });
}

interface Validated {
  readonly at: Located;
  readonly raw: RawExample;
}

/** Validates one row into a raw example; a bad row is DATA_INVALID with path, line, field, value and fix. */
function validate(at: Located): Validated {
  const { path, line, value } = at;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MetaLoraError('DATA_INVALID', `a row must be an object, got ${showValue(value)}`, {
      path,
      line,
      value,
      fix: 'write each example as an object with task, input and output (or messages)',
    });
  }
  const isChat = 'messages' in value;
  const parsed = (isChat ? UserChatRowSchema : UserPairRowSchema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '');
    let bad: unknown = value;
    for (const key of issue.path) bad = (bad as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    const expected = isChat
      ? 'task, messages ([{role, content}…]) and optional split, language'
      : 'task, input, output and optional choices, split, language';
    throw new MetaLoraError('DATA_INVALID', `field \`${field}\`: ${issue.message} (got ${showValue(bad)})`, {
      path,
      line,
      field,
      value: bad,
      fix: `each row needs ${expected}`,
    });
  }
  const row = parsed.data;
  // ids become file names (a single-task adapter's directory): data never chooses where a file is written
  assertSafeName(row.task, 'task id', { path, line, field: 'task' });
  if (row.language !== undefined) assertSafeName(row.language, 'language', { path, line, field: 'language' });
  let input: string;
  let target: string;
  let choices: string[] | undefined;
  if ('messages' in row) {
    const last = row.messages.at(-1)!;
    if (last.role !== 'assistant') {
      throw new MetaLoraError('DATA_INVALID', `field \`messages\`: the last message has role ${showValue(last.role)}`, {
        path,
        line,
        field: 'messages',
        value: last,
        fix: 'end each conversation with the assistant message to learn',
      });
    }
    input = `${row.messages
      .slice(0, -1)
      .map((m) => `${m.role[0]!.toUpperCase()}${m.role.slice(1)}: ${m.content}`)
      .join('\n')}\nAssistant:`;
    target = ` ${last.content}`;
  } else {
    input = row.input;
    target = row.output;
    choices = row.choices;
    if (choices && !choices.includes(target)) {
      throw new MetaLoraError(
        'DATA_INVALID',
        `field \`output\` ${showValue(target)} is not one of the choices ${showValue(choices)}`,
        {
          path,
          line,
          field: 'output',
          value: target,
          fix: 'make output exactly one of the choices (mind leading spaces)',
        },
      );
    }
  }
  return {
    at,
    raw: {
      taskId: row.task,
      family: row.task,
      language: row.language ?? 'und',
      input,
      target,
      ...(choices ? { choices } : {}),
      text: input,
      ...(row.split ? { split: row.split } : {}),
    },
  };
}

/**
 * Loads, validates and splits user dataset files. Errors: `DATA_INVALID` (bad row, bad file, a dev/test input that
 * is also a train input), `EMPTY_TASK` (a file without rows, a task without train examples, a requested task absent).
 *
 * @example
 * const examples = await loadUserDatasets(['data/a.jsonl', 'data/b.parquet'], { split: config.split });
 */
export async function loadUserDatasets(
  paths: readonly string[],
  options: { split: SplitSizes; tasks?: readonly string[] },
): Promise<Example[]> {
  const validated: Validated[] = [];
  for (const path of paths) {
    const rows = await readUserRows(path);
    if (rows.length === 0) {
      throw new MetaLoraError('EMPTY_TASK', 'the file has no examples', { path, fix: 'add examples or drop the file' });
    }
    for (const row of rows) validated.push(validate(row));
  }
  const byTask = new Map<string, Validated[]>();
  for (const v of validated) byTask.set(v.raw.taskId, [...(byTask.get(v.raw.taskId) ?? []), v]);
  for (const task of options.tasks ?? []) {
    if (!byTask.has(task)) {
      throw new MetaLoraError('EMPTY_TASK', `task \`${task}\` has no examples in ${paths.join(', ')}`, {
        field: 'tasks',
        value: task,
        fix: `use one of the tasks present: ${[...byTask.keys()].join(', ')}`,
      });
    }
  }
  const raw: RawExample[] = [];
  for (const [task, rows] of byTask) {
    if (options.tasks?.length && !options.tasks.includes(task)) continue;
    const explicit = rows.some((r) => r.raw.split !== undefined);
    const withSplits = explicit
      ? rows.map((r) => ({ ...r, raw: { ...r.raw, split: r.raw.split ?? ('train' as Split) } }))
      : rows;
    if (explicit) checkOverlap(task, withSplits);
    raw.push(...withSplits.map((r) => r.raw));
  }
  const examples = assignSplits(raw, { ...options.split, maxFullTrain: Number.POSITIVE_INFINITY }, { dedupe: false });
  for (const [task, rows] of byTask) {
    if (options.tasks?.length && !options.tasks.includes(task)) continue;
    if (!examples.some((e) => e.taskId === task && e.split === 'train')) {
      const first = rows[0]!.at;
      throw new MetaLoraError(
        'EMPTY_TASK',
        `task \`${task}\` has no train examples (${rows.length} rows, none in train)`,
        {
          path: first.path,
          line: first.line,
          field: 'task',
          value: task,
          fix: 'add train rows for the task, or leave `split` out so the task is split automatically',
        },
      );
    }
  }
  return examples;
}

/** A dev/test input that normalizes like a train input (or a dev input like a test input) is a leak: refuse it. */
function checkOverlap(task: string, rows: readonly Validated[]): void {
  const seen = new Map<string, Validated>();
  const order: Record<Split, number> = { train: 0, dev: 1, test: 2 };
  const sorted = [...rows].sort((a, b) => order[a.raw.split!] - order[b.raw.split!]);
  for (const row of sorted) {
    const key = normalizeText(row.raw.input);
    const earlier = seen.get(key);
    if (earlier && earlier.raw.split !== row.raw.split) {
      throw new MetaLoraError(
        'DATA_INVALID',
        `task \`${task}\`: this ${row.raw.split} input also appears in ${earlier.raw.split} at ${earlier.at.path}:line ${earlier.at.line}: ${showValue(row.raw.input)}`,
        {
          path: row.at.path,
          line: row.at.line,
          field: 'split',
          value: row.raw.split,
          fix: `remove the example from one of the splits (inputs are compared after lower-casing and removing punctuation)`,
        },
      );
    }
    if (!earlier) seen.set(key, row);
  }
}
