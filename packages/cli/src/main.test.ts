import { describe, expect, it, vi } from 'vitest';
import { COMMANDS, main } from './main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  return { out, err, restore: () => vi.restoreAllMocks() };
}

describe('meta-lora CLI', () => {
  it('lists the commands with --help and exits 0', async () => {
    const io = capture();
    expect(await main(['--help'])).toBe(0);
    io.restore();
    expect(io.out.join('')).toMatch(/generate/);
  });

  it('refuses an unknown command with exit code 2', async () => {
    const io = capture();
    expect(await main(['frobnicate'])).toBe(2);
    io.restore();
    expect(io.err.join('')).toMatch(/unknown command "frobnicate"/);
  });

  it('reports a bad option as a one-line error without a stack trace', async () => {
    const io = capture();
    expect(await main(['generate', '--no-such-flag'])).toBe(2);
    io.restore();
    const text = io.err.join('');
    expect(text).toMatch(/error \[CONFIG_INVALID\].*--no-such-flag/);
    expect(text).not.toMatch(/\n\s+at /);
  });

  it('names the missing file for data inspect', async () => {
    const io = capture();
    expect(await main(['data', 'inspect', '/nonexistent/tasks.arrow'])).toBe(2);
    io.restore();
    expect(io.err.join('')).toMatch(/\/nonexistent\/tasks\.arrow/);
  });

  it('lists each command with the summary of its own --help', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect([command.name, command.summary]).toEqual([entry.name, entry.summary]);
    }
  });

  it('prints --help for every command', async () => {
    for (const name of ['run', 'data', 'train', 'adapt', 'eval', 'report', 'generate', 'export']) {
      const io = capture();
      expect(await main([name, '--help'])).toBe(0);
      io.restore();
      expect(io.out.join('')).toMatch(new RegExp(`usage: meta-lora ${name}`));
    }
  });
});
