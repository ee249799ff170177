/** Reading a whole file with an error that names it, instead of a bare `ENOENT`. */
import { readFileSync } from 'node:fs';
import { MetaLoraError } from './errors.ts';

/**
 * Reads a whole file. An unreadable one (missing, a directory, no permission) is an `IO_FAILED` `MetaLoraError`
 * naming the path and what the file was to be.
 *
 * @example
 * const bytes = readFileBytes('data/my-tasks.parquet', 'dataset'); // else: cannot read dataset: ENOENT …
 */
export function readFileBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new MetaLoraError(
      'IO_FAILED',
      `cannot read ${what}: ${(cause as Error).message}`,
      { path, fix: 'check the path' },
      { cause },
    );
  }
}
