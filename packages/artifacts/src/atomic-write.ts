/**
 * Atomic file output: write to a temporary sibling, fsync, then rename over the target. A reader (or a resumed run
 * after SIGKILL) sees either the old file or the new one, never a torn one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MetaLoraError } from './errors.ts';

let counter = 0;

/**
 * Writes `data` to `path` atomically, creating parent directories.
 *
 * @example
 * writeFileAtomic('runs/x/config.json', JSON.stringify(config));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new MetaLoraError(
      'IO_FAILED',
      `could not write ${path}: ${(cause as Error).message}`,
      {
        path,
        fix: 'check that the directory is writable and the disk is not full',
      },
      { cause },
    );
  }
}

/**
 * Replaces directory `path` with the directory that `fill` writes, atomically: `fill` writes into a temporary sibling
 * which is renamed into place only when `fill` returns. An existing `path` is swapped out and removed afterwards.
 */
export async function writeDirAtomic(path: string, fill: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const parent = dirname(path);
  const tmp = join(parent, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const old = join(parent, `.${basename(path)}.${process.pid}.${counter++}.old`);
  mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
    let hadOld = true;
    try {
      renameSync(path, old);
    } catch {
      hadOld = false;
    }
    renameSync(tmp, path);
    if (hadOld) rmSync(old, { recursive: true, force: true });
  } catch (cause) {
    rmSync(tmp, { recursive: true, force: true });
    if (cause instanceof MetaLoraError) throw cause;
    throw new MetaLoraError(
      'IO_FAILED',
      `could not write directory ${path}: ${(cause as Error).message}`,
      {
        path,
        fix: 'check that the directory is writable and the disk is not full',
      },
      { cause },
    );
  }
}
