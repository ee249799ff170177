/** Test helper: runs the CLI's `main` in this process and captures what it writes to stdout and stderr. */
import { vi } from 'vitest';
import { main } from './main.ts';

/**
 * @example
 * const r = await runCli(['eval', '--help']); // { code: 0, out: 'meta-lora eval …', err: '' }
 */
export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  try {
    return { code: await main(argv), out: out.join(''), err: err.join('') };
  } finally {
    vi.restoreAllMocks();
  }
}
