/** Test helper: runs the CLI's `main` in this process and captures what it writes to stdout and stderr. */
import { captureOutput } from '@meta-lora/vitest-config';
import { main } from './main.ts';

/**
 * @example
 * const r = await runCli(['eval', '--help']); // { code: 0, out: 'meta-lora eval …', err: '' }
 */
export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { value: code, out, err } = await captureOutput(() => main(argv));
  return { code, out, err };
}

/**
 * `--name value` for each entry of `values`, in order.
 *
 * @example
 * flags({ task: 'double', k: '4' }); // ['--task', 'double', '--k', '4']
 */
export function flags(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([name, value]) => [`--${name}`, value]);
}
