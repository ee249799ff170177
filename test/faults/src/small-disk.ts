/**
 * A small disk for the full-disk cases: a tmpfs mounted on a test directory, resized by remounting. Mounting needs
 * root (CAP_SYS_ADMIN) on Linux; where that is missing, `mountSmallDisk` says why, and the cases skip with that reason
 * printed.
 */
import { spawnSync } from 'node:child_process';
import { statfsSync } from 'node:fs';

export const KIB = 1024;

function mount(args: readonly string[]): string | undefined {
  const result = spawnSync('mount', args, { encoding: 'utf8' });
  if (result.error) return `cannot run mount: ${result.error.message}`;
  return result.status === 0 ? undefined : `mount ${args.join(' ')} failed: ${result.stderr.trim()}`;
}

/**
 * Mounts a tmpfs of `bytes` on `dir`; returns why it could not, or undefined.
 *
 * @example
 * const unavailable = mountSmallDisk(dir, 64 * KIB);
 */
export function mountSmallDisk(dir: string, bytes: number): string | undefined {
  if (process.platform !== 'linux') return `mounting a tmpfs needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `mounting a tmpfs needs root (this runs as uid ${process.getuid?.()})`;
  return mount(['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir]);
}

/** Resizes the tmpfs on `dir` (not below what it holds). */
export function resizeSmallDisk(dir: string, bytes: number): void {
  const failed = mount(['-o', `remount,size=${bytes}`, dir]);
  if (failed) throw new Error(failed);
}

/** Bytes in use on the file system of `dir`. */
export function usedBytes(dir: string): number {
  const s = statfsSync(dir);
  return (s.blocks - s.bfree) * s.bsize;
}

export function unmountSmallDisk(dir: string): void {
  spawnSync('umount', [dir]);
}
