/**
 * Atomic file output: write to a temporary sibling, fsync, then rename over the target. A reader (or a resumed run
 * after SIGKILL) sees either the old file or the new one, never a torn one. The temporaries are named
 * `.<name>.<pid>.<n>.tmp` (and `.old` for a directory being replaced), so those of a process that was killed can be
 * told apart and cleared (`sweepTemporaries`).
 */
import {
  closeSync,
  type Dirent,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MetaLoraError } from './errors.ts';

let counter = 0;

/** `path`'s temporary sibling for this process: `.<name>.<pid>.<n>.<kind>`. */
const temporary = (path: string, kind: 'tmp' | 'old') =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.${kind}`);

/**
 * Writes `data` to `path` atomically, creating parent directories.
 *
 * @example
 * writeFileAtomic('runs/x/config.json', JSON.stringify(config));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = temporary(path, 'tmp');
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
  const tmp = temporary(path, 'tmp');
  const old = temporary(path, 'old');
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

/**
 * Clears what process `pid` (gone: killed or crashed) left under `dir` mid-write: every temporary it named (a file or
 * directory half written, or written but not yet renamed into place) is removed. A directory it had moved aside to
 * replace (`.old`) is put back where its replacement never arrived, and removed otherwise. Returns the paths cleared.
 *
 * @example
 * sweepTemporaries('runs/x', 4242); // ['runs/x/data/.tasks.arrow.4242.3.tmp']
 */
export function sweepTemporaries(dir: string, pid: number): string[] {
  const mine = new RegExp(`^\\.(.+)\\.${pid}\\.\\d+\\.(tmp|old)$`);
  const cleared: string[] = [];
  const walk = (d: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // removed meanwhile
    }
    for (const entry of entries) {
      const path = join(d, entry.name);
      const match = mine.exec(entry.name);
      if (match === null) {
        if (entry.isDirectory()) walk(path);
        continue;
      }
      const target = join(d, match[1] as string);
      if (match[2] === 'old' && !existsSync(target)) renameSync(path, target);
      else rmSync(path, { recursive: true, force: true });
      cleared.push(path);
    }
  };
  walk(dir);
  return cleared;
}
