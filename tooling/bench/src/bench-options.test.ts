import { isMetaLoraError } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './bench-options.ts';

describe('parseBenchArgs', () => {
  it('defaults to the bench configuration of shared/bench/README.md', () => {
    const o = parseBenchArgs([]);
    expect([o.batch, o.seq, o.rank, o.alpha, o.lr, o.threads]).toEqual([8, 128, 8, 16, 1e-3, [1, 2]]);
  });

  it('measures meta-iterations by default, and skips them with --meta-iterations 0', () => {
    const o = parseBenchArgs([]);
    expect([o.metaIterations, o.metaRepeats, o.metaOnly]).toEqual([26, 3, false]);
    expect(parseBenchArgs(['--meta-iterations', '0']).metaIterations).toBe(0);
    expect(parseBenchArgs(['--meta-iterations', '30', '--meta-repeats', '5', '--meta-only'])).toMatchObject({
      metaIterations: 30,
      metaRepeats: 5,
      metaOnly: true,
    });
  });

  it('skips the leading -- that `pnpm bench -- --flag` passes through', () => {
    expect(parseBenchArgs(['--', '--meta-only']).metaOnly).toBe(true);
  });

  it('refuses --meta-only with the meta-iterations turned off', () => {
    expect(() => parseBenchArgs(['--meta-only', '--meta-iterations', '0'])).toThrow(/leaves nothing to measure/);
  });

  it('refuses a meta-iteration count that leaves nothing after the warm-up iterations', () => {
    expect(() => parseBenchArgs(['--meta-iterations', '2'])).toThrow(/--meta-iterations must be 0 \(off\) or above/);
  });

  it('rejects a non-integer step count with CONFIG_INVALID naming the flag', () => {
    let caught: unknown;
    try {
      parseBenchArgs(['--steps', '2.5']);
    } catch (error) {
      caught = error;
    }
    expect(isMetaLoraError(caught) && caught.code === 'CONFIG_INVALID' && caught.message.includes('--steps')).toBe(
      true,
    );
  });

  it('rejects a memory check too short to compare step 100 with the end', () => {
    expect(() => parseBenchArgs(['--memory-steps', '150'])).toThrow(/--memory-steps/);
  });
});
