import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { CHECKPOINTS_DIR, LATEST_FILE } from './meta-checkpoint.ts';
import { holdsRun } from './run-identity.ts';

describe('holdsRun', () => {
  it('is true only for a directory with a checkpoint of the same run hash', () => {
    const dir = tempDir('holds-run');
    expect(holdsRun(dir, 'abc')).toBe(false);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ runHash: 'abc' }));
    expect(holdsRun(dir, 'abc')).toBe(false); // no checkpoint yet
    mkdirSync(join(dir, CHECKPOINTS_DIR), { recursive: true });
    writeFileSync(join(dir, CHECKPOINTS_DIR, LATEST_FILE), 'iter-000001\n');
    expect(holdsRun(dir, 'abc')).toBe(true);
    expect(holdsRun(dir, 'abd')).toBe(false);
    writeFileSync(join(dir, 'config.json'), '{ torn');
    expect(holdsRun(dir, 'abc')).toBe(false);
  });
});
