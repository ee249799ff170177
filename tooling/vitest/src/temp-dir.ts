/**
 * Temporary directories for tests: `tempDir` makes one under the OS temp dir, and the shared setup file removes every
 * one a test file made after that file's tests (so `pnpm test` leaves nothing behind in /tmp).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * A fresh directory `<tmp>/<prefix>-XXXXXX`, removed after the test file.
 *
 * @example
 * const runDir = tempDir('meta-train'); // /tmp/meta-train-a1B2c3
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every directory `tempDir` made so far (the setup file calls it after each test file). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
