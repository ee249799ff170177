import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { sweepTemporaries, writeDirAtomic, writeFileAtomic } from './atomic-write.ts';

describe('atomic writes', () => {
  it('leave only the target, whole', async () => {
    const dir = tempDir('atomic-write');
    writeFileAtomic(join(dir, 'a.json'), '{"v":1}');
    writeFileAtomic(join(dir, 'a.json'), '{"v":2}');
    await writeDirAtomic(join(dir, 'adapter'), (tmp) => writeFileSync(join(tmp, 'x'), 'new'));
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'adapter']);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"v":2}');
  });

  it('sweepTemporaries clears a dead process’s temporaries at any depth and leaves everyone else’s', () => {
    const dir = tempDir('atomic-sweep');
    mkdirSync(join(dir, 'train', '.checkpoint.4242.1.tmp'), { recursive: true });
    writeFileSync(join(dir, 'train', '.checkpoint.4242.1.tmp', 'model.safetensors'), 'half');
    writeFileSync(join(dir, '.tasks.arrow.4242.0.tmp'), 'half');
    writeFileSync(join(dir, '.tasks.arrow.777.0.tmp'), 'another process');
    writeFileSync(join(dir, 'tasks.arrow'), 'whole');
    const cleared = sweepTemporaries(dir, 4242).map((p) => p.slice(dir.length + 1));
    expect(cleared.sort()).toEqual(['.tasks.arrow.4242.0.tmp', 'train/.checkpoint.4242.1.tmp']);
    expect(readdirSync(dir).sort()).toEqual(['.tasks.arrow.777.0.tmp', 'tasks.arrow', 'train']);
    expect(readdirSync(join(dir, 'train'))).toEqual([]);
  });

  it('sweepTemporaries puts back a directory moved aside whose replacement never arrived', () => {
    const dir = tempDir('atomic-sweep-old');
    // Killed between writeDirAtomic's two renames: the old version aside, the new one complete but not in place.
    mkdirSync(join(dir, '.checkpoint.4242.3.old'));
    writeFileSync(join(dir, '.checkpoint.4242.3.old', 'state.json'), 'old');
    mkdirSync(join(dir, '.checkpoint.4242.2.tmp'));
    sweepTemporaries(dir, 4242);
    expect(readdirSync(dir)).toEqual(['checkpoint']);
    expect(readFileSync(join(dir, 'checkpoint', 'state.json'), 'utf8')).toBe('old');
    // Where the replacement did arrive, the old version is only removed.
    mkdirSync(join(dir, '.checkpoint.4242.5.old'));
    sweepTemporaries(dir, 4242);
    expect(existsSync(join(dir, '.checkpoint.4242.5.old'))).toBe(false);
    expect(readFileSync(join(dir, 'checkpoint', 'state.json'), 'utf8')).toBe('old');
  });
});
