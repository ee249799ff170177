import { isMetaLoraError } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './bench-options.ts';

describe('parseBenchArgs', () => {
  it('defaults to the bench configuration of shared/bench/README.md', () => {
    const o = parseBenchArgs([]);
    expect([o.batch, o.seq, o.rank, o.alpha, o.lr, o.threads]).toEqual([8, 128, 8, 16, 1e-3, [1, 2]]);
  });

  it('turns the meta-iteration mode on with --meta-iterations and leaves it off by default', () => {
    expect(parseBenchArgs([]).metaIterations).toBe(0);
    expect(parseBenchArgs(['--meta-iterations', '20']).metaIterations).toBe(20);
    expect([parseBenchArgs([]).metaRepeats, parseBenchArgs(['--meta-repeats', '5']).metaRepeats]).toEqual([3, 5]);
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
