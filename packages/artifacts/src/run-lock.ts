/**
 * One process per run directory: a lock file (`.meta-lora.lock`, holding the owner's pid, host and task) written to a
 * temporary and hard-linked into place, which fails if the lock exists, so no lock is ever seen empty. A second process on the same directory is refused with the owner named; the lock of a process that is gone
 * (killed, crashed) is stale and taken over, and what that process was writing when it died (its atomic writes'
 * temporaries) is cleared. Re-entrant within one process (the study runs stages in-process).
 */
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sweepTemporaries } from './atomic-write.ts';
import { MetaLoraError } from './errors.ts';

export const LOCK_FILE = '.meta-lora.lock';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly what: string;
  readonly since: string;
}

/** A held lock; `release` removes it (also done at process exit). */
export interface RunLock {
  readonly path: string;
  release(): void;
}

/** How long an unreadable (empty, half-written) lock file may be younger than before it counts as stale. */
const TORN_GRACE_MS = 10_000;
const held = new Map<string, { count: number }>();
let exitHook = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock at `path` belongs to nobody any more: its process is gone, or it is unreadable and old. */
function stale(path: string, owner: LockOwner | undefined): boolean {
  if (owner) return owner.host === hostname() && !alive(owner.pid);
  try {
    return Date.now() - statSync(path).mtimeMs > TORN_GRACE_MS;
  } catch {
    return true; // removed meanwhile
  }
}

/**
 * Takes the lock of run directory `dir` (created if missing) for `what` (for example "pipeline train").
 *
 * @example
 * const lock = lockRunDir('pipelines/runs/multitask', 'pipeline train');
 * try { … } finally { lock.release(); }
 */
export function lockRunDir(dir: string, what: string): RunLock {
  const path = join(dir, LOCK_FILE);
  const mine = held.get(path);
  if (mine) {
    mine.count++;
    return { path, release: () => release(path) };
  }
  mkdirSync(dir, { recursive: true });
  // The lock appears with its owner already in it: written to a temporary file, then hard-linked into place (link
  // fails if the lock exists), so a process killed at any moment never leaves an empty lock behind.
  const owner: LockOwner = { pid: process.pid, host: hostname(), what, since: new Date().toISOString() };
  sweepLockTemporaries(dir);
  const temporary = join(dir, `${LOCK_FILE}-${process.pid}`);
  try {
    writeFileSync(temporary, `${JSON.stringify(owner)}\n`);
  } catch (cause) {
    rmSync(temporary, { force: true });
    throw new MetaLoraError(
      'IO_FAILED',
      `cannot write the lock of ${dir}: ${(cause as Error).message}`,
      { path, fix: 'check that the run directory is writable and the disk is not full' },
      { cause },
    );
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(temporary, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new MetaLoraError('IO_FAILED', `cannot create the lock of ${dir}: ${(error as Error).message}`, {
            path,
            fix: 'check that the run directory is writable',
          });
        }
        const holder = readOwner(path);
        if (stale(path, holder)) {
          if (holder) sweepTemporaries(dir, holder.pid);
          rmSync(path, { force: true });
          continue;
        }
        throw new MetaLoraError(
          'RUN_LOCKED',
          holder
            ? `${dir} is in use by process ${holder.pid} on ${holder.host} (${holder.what}, since ${holder.since})`
            : `${dir} is being locked by another process`,
          {
            path,
            fix: 'wait for that run to finish, or give this one another run directory; if that process no longer runs (another machine), delete the lock file',
          },
        );
      }
      held.set(path, { count: 1 });
      if (!exitHook) {
        exitHook = true;
        process.once('exit', releaseAll);
      }
      return { path, release: () => release(path) };
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  throw new MetaLoraError('RUN_LOCKED', `${dir}: its lock keeps changing hands`, {
    path,
    fix: 'another process is starting on the same run directory; give each run its own directory',
  });
}

/**
 * Removes the lock temporaries (`.meta-lora.lock-<pid>`) of processes on this host that are gone: one killed between
 * writing its temporary and linking it into place. Their name is outside the atomic writes' `.<name>.<pid>.<n>.tmp`
 * pattern, so the two kinds of leftover are swept by their own rules.
 */
function sweepLockTemporaries(dir: string): void {
  const pattern = new RegExp(`^${LOCK_FILE.replaceAll('.', '\\.')}-(\\d+)$`);
  for (const name of readdirSync(dir)) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid) continue;
    const path = join(dir, name);
    if (stale(path, readOwner(path))) rmSync(path, { force: true });
  }
}

/**
 * Runs `work` holding the lock of `dir`, and releases it however `work` ends.
 *
 * @example
 * await withRunLock('runs/x/train', 'train', () => runTrainingLocked(options));
 */
export async function withRunLock<T>(dir: string, what: string, work: () => Promise<T>): Promise<T> {
  const lock = lockRunDir(dir, what);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

function release(path: string): void {
  const mine = held.get(path);
  if (!mine || --mine.count > 0) return;
  held.delete(path);
  if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
}

function releaseAll(): void {
  for (const path of [...held.keys()]) {
    held.set(path, { count: 1 });
    release(path);
  }
}
