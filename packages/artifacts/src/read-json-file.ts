/**
 * Reading a JSON file (`config.json`, `model.safetensors.index.json`, `adapter_config.json`, …) with an error that
 * names the file and the line of the syntax error, instead of a bare `SyntaxError`.
 */
import { readFileSync } from 'node:fs';
import { type ErrorCode, MetaLoraError } from './errors.ts';
import { readFileBytes } from './read-file.ts';

export interface ReadJsonFileOptions {
  /** The error code for a missing or malformed file; `CONFIG_INVALID` unless the file is part of a checkpoint. */
  readonly code?: ErrorCode;
  /** What the file is, for the message and the fix, e.g. `'the sharded checkpoint index'`. */
  readonly what?: string;
  /** The fix for a missing or unreadable file (default: check the path), e.g. what should be there instead. */
  readonly missingFix?: string;
}

/**
 * Reads and parses a JSON file. A missing file or invalid JSON is a `MetaLoraError` (default code `CONFIG_INVALID`)
 * whose message names the path, and the line and column where the parser stopped.
 *
 * @example
 * const config = readJsonFile('models/stories260K/config.json'); // unknown: validate it with a zod schema next
 * const index = readJsonFile(join(dir, 'model.safetensors.index.json'), { code: 'CHECKPOINT_INVALID' });
 */
export function readJsonFile(path: string, options: ReadJsonFileOptions = {}): unknown {
  const code = options.code ?? 'CONFIG_INVALID';
  const what = options.what ?? 'JSON file';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MetaLoraError(
      code,
      missing ? `${what} not found` : `cannot read ${what}: ${(cause as Error).message}`,
      { path, fix: options.missingFix ?? (missing ? 'check the path' : 'check that the file is a readable file') },
      { cause },
    );
  }
  return parseJsonText(text, path, options);
}

/**
 * Parses the text of the JSON file at `path` (already read); invalid JSON is a `MetaLoraError` (default code
 * `CONFIG_INVALID`) naming the path, and the line and column where the parser stopped.
 *
 * @example
 * const json = parseJsonText(readFileSync(path, 'utf8'), path, { what: 'config.json' });
 */
export function parseJsonText(text: string, path: string, options: ReadJsonFileOptions = {}): unknown {
  const code = options.code ?? 'CONFIG_INVALID';
  const what = options.what ?? 'JSON file';
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte order mark is not JSON
  try {
    return JSON.parse(body);
  } catch (cause) {
    const reason = (cause as Error).message;
    const at = /at position (\d+)/.exec(reason);
    const position = at ? Number(at[1]) : /end of JSON input/.test(reason) ? body.length : undefined;
    const before = position === undefined ? undefined : body.slice(0, position).split('\n');
    const line = before?.length;
    const column = before === undefined ? undefined : (before.at(-1)?.length ?? 0) + 1;
    throw new MetaLoraError(
      code,
      `${what} is not valid JSON${column === undefined ? '' : ` (column ${column})`}: ${reason}`,
      line === undefined ? { path, fix: `fix the JSON syntax in ${path}` } : { path, line, fix: `fix the JSON syntax` },
      { cause },
    );
  }
}

/** One non-blank line of a JSON-lines file. */
export interface JsonLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly text: string;
  /** The parsed line; undefined where the line is not JSON (the caller reports it, with `line`). */
  readonly value: unknown;
}

/**
 * The non-blank lines of a JSON-lines file (`metrics.jsonl`), each parsed; a line that is not JSON has `value`
 * undefined, so the caller can report it with its line number in its own words.
 *
 * @example
 * for (const { line, value } of readJsonLines('runs/x/train/metrics.jsonl')) console.log(line, value);
 */
export function readJsonLines(path: string): JsonLine[] {
  return readFileBytes(path, 'JSON-lines file')
    .toString('utf8')
    .split('\n')
    .flatMap((text, i) => {
      if (text.trim() === '') return [];
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      return [{ line: i + 1, text, value }];
    });
}
