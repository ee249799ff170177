/** Test helper: runs `fn` with `process.stdout` and `process.stderr` captured, and returns what they received. */
import { vi } from 'vitest';

/**
 * @example
 * const { value, out, err } = await captureOutput(() => main(['eval', '--help'])); // value: the exit code
 */
export async function captureOutput<T>(fn: () => T | Promise<T>): Promise<{ value: T; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  try {
    return { value: await fn(), out: out.join(''), err: err.join('') };
  } finally {
    vi.restoreAllMocks();
  }
}
