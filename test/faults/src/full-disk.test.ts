/**
 * A full disk (issue #19): the smoke pipeline's run directory on a small tmpfs that fills at chosen points — before
 * the stage writes anything, while the data stage writes `tasks.arrow`, and during meta-training. Each time the stage
 * must stop with a clear error (`error [IO_FAILED]` naming the file and the cause, a `fix:`, no stack trace) and leave
 * nothing half-written: every file on the disk is complete and valid, no temporary file or lock is left behind. Given
 * room again, the stage reruns (train continues what it had) and finishes.
 *
 * Mounting a tmpfs needs root on Linux (CI has it); elsewhere these cases skip with the reason printed.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildOutcome, describeExit, runChild, stageArgv } from './child-run.ts';
import { inspectRunDir } from './disk-state.ts';
import { KIB, mountSmallDisk, resizeSmallDisk, unmountSmallDisk, usedBytes } from './small-disk.ts';

const env = { META_LORA_EXPERIMENT: 'smoke' };
const disk = join(tempDir('meta-lora-full-disk'), 'disk');
const RUN = join(disk, 'run');
let unavailable: string | undefined = 'not mounted yet';

const stage = (name: string) => runChild(stageArgv(name, RUN), RUN, { env });

/** The stage stopped on the full disk with a clear error about `file`, and left only complete files. */
function expectCleanFailure(out: ChildOutcome, file: RegExp): void {
  expect(out.code, describeExit('the stage on a full disk', out)).toBe(2);
  expect(out.stderr).toMatch(/error \[IO_FAILED\]: /);
  expect(out.stderr).toMatch(file);
  expect(out.stderr).toMatch(/ENOSPC|no space left on device/i);
  expect(out.stderr).toMatch(/fix: .*disk is not full/);
  expect(out.stderr, 'a stack trace').not.toMatch(/\n\s+at /);
  const state = inspectRunDir(RUN);
  expect(state.problems).toEqual([]);
  expect(state.temps).toEqual([]);
  expect(state.locks).toEqual([]);
}

describe('a full disk (the run directory on a small tmpfs)', () => {
  beforeAll(() => {
    mkdirSync(disk);
    unavailable = mountSmallDisk(disk, 64 * KIB);
    if (unavailable) process.stdout.write(`faults: the full-disk cases are SKIPPED: ${unavailable}\n`);
  });
  afterAll(() => {
    if (!unavailable) unmountSmallDisk(disk);
  });

  it('a disk full before the stage starts: a clear error, nothing written', { timeout: 600_000 }, async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    const filler = join(disk, 'filler');
    writeFileSync(filler, Buffer.alloc(64 * KIB - usedBytes(disk)));
    const out = await stage('data');
    rmSync(filler);
    expectCleanFailure(out, /\.meta-lora\.lock/);
  });

  it('the data stage when tasks.arrow does not fit: a clear error, nothing half-written; with room it runs', {
    timeout: 600_000,
  }, async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    rmSync(RUN, { recursive: true, force: true });
    // Room for the lock and resolved-config.json (a page each), not for the 43 KB tasks.arrow.
    resizeSmallDisk(disk, 16 * KIB);
    expectCleanFailure(await stage('data'), /tasks\.arrow/);
    resizeSmallDisk(disk, 1024 * KIB);
    const out = await stage('data');
    expect(out.code, describeExit('data with room', out)).toBe(0);
    expect(inspectRunDir(RUN).problems).toEqual([]);
  });

  it('train when the disk fills during meta-training: a clear error, nothing half-written; with room it finishes', {
    timeout: 900_000,
  }, async (ctx) => {
    ctx.skip(unavailable !== undefined, unavailable);
    // Room for the locks, resolved-config.json and config.json; the first metrics line or checkpoint finds none.
    resizeSmallDisk(disk, usedBytes(disk) + 16 * KIB);
    expectCleanFailure(await stage('train'), /train\/(metrics\.jsonl|checkpoints)/);
    resizeSmallDisk(disk, 8 * 1024 * KIB);
    const out = await stage('train');
    expect(out.code, describeExit('train with room', out)).toBe(0);
    const state = inspectRunDir(RUN);
    expect(state.problems).toEqual([]);
    expect(state.temps).toEqual([]);
  });
});
