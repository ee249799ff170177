import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempDir, thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it, vi } from 'vitest';
import { MetaLoraError } from './errors.ts';
import { LOCK_FILE, lockRunDir } from './run-lock.ts';

/** While set, writing a file fails as it does on a full disk (the file is created, its contents do not fit). */
const disk = vi.hoisted(() => ({ full: false }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeFileSync = ((...args: Parameters<typeof real.writeFileSync>) => {
    if (disk.full) {
      real.writeFileSync(args[0], '');
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    return real.writeFileSync(...args);
  }) as typeof real.writeFileSync;
  return { ...real, writeFileSync };
});

const lockedBy = (dir: string, pid: number) =>
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), what: 'test', since: 'now' }));

describe('run directory lock', () => {
  it('holds the owner’s pid while held and is gone after release', () => {
    const dir = tempDir('lock-basic');
    const lock = lockRunDir(dir, 'test');
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('is re-entrant within one process and released by the last holder', () => {
    const dir = tempDir('lock-reentrant');
    const outer = lockRunDir(dir, 'outer');
    const inner = lockRunDir(dir, 'inner');
    inner.release();
    expect(existsSync(outer.path)).toBe(true);
    outer.release();
    expect(existsSync(outer.path)).toBe(false);
  });

  it('refuses a run directory held by a live process, naming it, and takes it over once that process is killed', async () => {
    const dir = tempDir('lock-other');
    const other = spawn('sleep', ['30']);
    lockedBy(dir, other.pid as number);
    expect(() => lockRunDir(dir, 'second')).toThrowError(
      expect.objectContaining({ code: 'RUN_LOCKED', message: expect.stringContaining(`process ${other.pid}`) }),
    );
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    const lock = lockRunDir(dir, 'after the kill');
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('clears what a killed owner was writing when it takes over its lock', () => {
    const dir = tempDir('lock-sweep');
    const dead = 2 ** 22 + 1; // above Linux's pid_max: no such process
    lockedBy(dir, dead);
    writeFileSync(join(dir, `.tasks.arrow.${dead}.0.tmp`), 'half');
    writeFileSync(join(dir, 'tasks.arrow'), 'whole');
    lockRunDir(dir, 'after the kill').release();
    expect(existsSync(join(dir, `.tasks.arrow.${dead}.0.tmp`))).toBe(false);
    expect(readFileSync(join(dir, 'tasks.arrow'), 'utf8')).toBe('whole');
  });

  it("sweeps the lock temporary of a process killed before it linked it, and keeps a live process's", () => {
    const dir = tempDir('lock-temporaries');
    const dead = 2 ** 22 + 3;
    const owner = (pid: number) => JSON.stringify({ pid, host: hostname(), what: 'x', since: '' });
    writeFileSync(join(dir, `${LOCK_FILE}-${dead}`), owner(dead));
    writeFileSync(join(dir, `${LOCK_FILE}-${process.ppid}`), owner(process.ppid));
    lockRunDir(dir, 'after the kill').release();
    expect(readdirSync(dir)).toEqual([`${LOCK_FILE}-${process.ppid}`]);
  });

  it('treats an unreadable lock as held while it is fresh and as stale once old', () => {
    const dir = tempDir('lock-torn');
    const path = join(dir, LOCK_FILE);
    writeFileSync(path, '');
    expect(() => lockRunDir(dir, 'fresh torn')).toThrowError(expect.objectContaining({ code: 'RUN_LOCKED' }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    lockRunDir(dir, 'old torn').release();
  });

  it('on a full disk: IO_FAILED naming the lock, and no empty lock left to refuse the next run', () => {
    const dir = tempDir('lock-full-disk');
    disk.full = true;
    try {
      const error = thrownBy(() => lockRunDir(dir, 'full'), MetaLoraError);
      expect(error.code).toBe('IO_FAILED');
      expect(error.message).toContain(`cannot write the lock of ${dir}: ENOSPC`);
      expect(error.message).toMatch(/fix: .*disk is not full/);
    } finally {
      disk.full = false;
    }
    expect(readdirSync(dir)).toEqual([]); // neither a lock nor its temporary
    lockRunDir(dir, 'after the disk was freed').release();
  });
});
