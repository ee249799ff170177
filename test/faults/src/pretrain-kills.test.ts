/**
 * Fault injection on pretraining (issue #19): the tiny run of `pretrain-child.ts` once uninterrupted, then again
 * SIGKILLed at 5 seeded moments (`kill-plan.ts`: start-up or training, mid-checkpoint, between steps) and resumed after
 * each. After every kill the run directory holds only complete artifacts; the finished run's weights, AdamW moments,
 * log and config are byte-identical to the reference's, and its trainer state differs only in the clock and the count
 * of sittings.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { describeExit, pretrainArgv, runChild } from './child-run.ts';
import { diffRuns, inspectRunDir } from './disk-state.ts';
import { killTriggers } from './kill-plan.ts';
import { type KillRecord, killAt, killSummary } from './kill-record.ts';

const SEED = Number(process.env.META_LORA_FAULTS_SEED ?? 19);
const root = tempDir('meta-lora-faults-pretrain');
const REFERENCE = join(root, 'reference');
const FAULTED = join(root, 'faulted');
const STATE = join('checkpoint', 'trainer_state.json');

/** The trainer state without what a resumed run may differ in: time spent, and the sittings it took. */
const trainerState = (dir: string) => {
  const { trainSeconds, wallSeconds, sittings, ...rest } = JSON.parse(readFileSync(join(dir, STATE), 'utf8'));
  return rest;
};

describe(`SIGKILL at seeded moments of pretraining (seed ${SEED})`, () => {
  const kills: KillRecord[] = [];
  afterAll(() => {
    if (kills.length > 0) process.stdout.write(killSummary('pretraining', kills));
  });

  it('every kill leaves only complete artifacts, and the resumed run ends byte-identical', {
    timeout: 900_000,
  }, async () => {
    const ref = await runChild(pretrainArgv(REFERENCE), REFERENCE);
    expect(ref.code, describeExit('the reference', ref)).toBe(0);
    for (const trigger of killTriggers('pretrain', { events: ref.events, ms: ref.ms }, SEED)) {
      // A run that finished before its moment starts over, to be killed earlier.
      await killAt(
        kills,
        pretrainArgv(FAULTED),
        FAULTED,
        trigger,
        {},
        { reset: () => rmSync(FAULTED, { recursive: true }) },
      );
    }
    const out = await runChild(pretrainArgv(FAULTED), FAULTED);
    expect(out.code, describeExit('the run after its kills', out)).toBe(0);
    const [faulted, reference] = [inspectRunDir(FAULTED), inspectRunDir(REFERENCE)];
    expect(faulted.problems).toEqual([]);
    expect(faulted.locks).toEqual([]);
    expect(faulted.temps).toEqual([]);
    expect(diffRuns(faulted, reference).filter((d) => d !== `bytes differ: ${STATE}`)).toEqual([]);
    expect(trainerState(FAULTED)).toEqual(trainerState(REFERENCE));
    expect(kills).toHaveLength(5);
  });
});
