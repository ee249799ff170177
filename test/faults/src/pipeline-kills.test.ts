/**
 * Fault injection on the pipeline (issue #19): the smoke experiment runs once uninterrupted (the reference), then again
 * in a second run directory where each stage is SIGKILLed at seeded moments (`kill-plan.ts`: 3 kills in data, 6 in
 * train — meta-training and baselines —, 3 in adapt, 3 in eval; pretraining's 5 are in `pretrain-kills.test.ts`) and
 * rerun after each kill, as a user would, until it finishes. After every kill each artifact on disk must be absent or
 * complete and valid (`disk-state.ts`), and the earlier stages' artifacts untouched; once a stage finishes, its
 * artifacts must be byte-identical to the reference's. Every kill leaves the killed process's run-directory lock
 * behind, so every rerun also takes over a stale lock; and a second process started while a stage runs is refused.
 *
 * META_LORA_FAULTS_SEED picks other moments (default 19); each stage's triggers are printed.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from '@meta-lora/artifacts';
import { tempDir } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChildOutcome, describeExit, runChild, stageArgv } from './child-run.ts';
import { type DiskState, diffRuns, inspectRunDir } from './disk-state.ts';
import { killTriggers, type Stage, type StageReference } from './kill-plan.ts';
import { type KillRecord, killAt, killSummary } from './kill-record.ts';

const SEED = Number(process.env.META_LORA_FAULTS_SEED ?? 19);
const env = { META_LORA_EXPERIMENT: 'smoke' };
const root = tempDir('meta-lora-faults');
const REFERENCE = join(root, 'reference');
const FAULTED = join(root, 'faulted');
/** The faulted run as it was before a train attempt, put back when the attempt finished before its moment. */
const BEFORE_ATTEMPT = join(root, 'before-attempt');
const STAGES = ['data', 'train', 'adapt', 'eval'] as const;
type PipelineStage = (typeof STAGES)[number];

const reference = new Map<Stage, StageReference>();
let referenceState: DiskState;
const kills: KillRecord[] = [];

const stage = (name: PipelineStage, dir: string, options: Parameters<typeof runChild>[2] = {}) =>
  runChild(stageArgv(name, dir), dir, { env, ...options });

/** Kills `name` at each of its seeded moments in the faulted run, checking the disk after each. */
async function killRepeatedly(name: PipelineStage): Promise<void> {
  const earlier = STAGES.slice(0, STAGES.indexOf(name));
  for (const trigger of killTriggers(name, reference.get(name)!, SEED)) {
    // A stage that starts over is simply run again when it finished before its moment. Train continues what the
    // killed attempts left (and its baselines run beside meta-training, at a pace set by the scheduler), so an attempt
    // that finished is undone first: the run directory is put back as it was before it.
    let retry = {};
    if (name === 'train') {
      rmSync(BEFORE_ATTEMPT, { recursive: true, force: true });
      cpSync(FAULTED, BEFORE_ATTEMPT, { recursive: true });
      retry = {
        reset: () => {
          rmSync(FAULTED, { recursive: true });
          cpSync(BEFORE_ATTEMPT, FAULTED, { recursive: true });
        },
      };
    }
    const after = await killAt(kills, stageArgv(name, FAULTED), FAULTED, trigger, env, retry);
    for (const s of earlier) expect(diffRuns(after, referenceState, `${s}/`), trigger.label).toEqual([]);
  }
}

/** Reruns `name` in the faulted run to the end and compares its artifacts with the reference's. */
async function finishAndCompare(name: PipelineStage): Promise<void> {
  const out = await stage(name, FAULTED);
  expect(out.code, describeExit(`${name} after its kills`, out)).toBe(0);
  expectSameAsReference(name);
}

function expectSameAsReference(name: PipelineStage): void {
  const state = inspectRunDir(FAULTED);
  expect(state.problems).toEqual([]);
  expect(diffRuns(state, referenceState, `${name}/`)).toEqual([]);
  // Each rerun took over the killed process's lock and cleared what it was writing.
  expect(state.locks).toEqual([]);
  expect(state.temps).toEqual([]);
}

/** The pid a lock file names, or undefined while it is missing or not yet written. */
function lockPid(path: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

describe(`SIGKILL at seeded moments of the smoke pipeline (seed ${SEED})`, () => {
  afterAll(() => {
    if (kills.length > 0) process.stdout.write(killSummary('pipeline', kills));
  });

  it('runs the reference uninterrupted', { timeout: 1_200_000 }, async () => {
    for (const name of STAGES) {
      const out = await stage(name, REFERENCE);
      expect(out.code, describeExit(`reference ${name}`, out)).toBe(0);
      reference.set(name, { events: out.events, ms: out.ms });
    }
    referenceState = inspectRunDir(REFERENCE);
    expect(referenceState.problems).toEqual([]);
    expect(referenceState.temps).toEqual([]);
  });

  for (const name of ['data', 'train', 'adapt'] as const) {
    it(`${name}: every kill leaves only complete artifacts, and the rerun is byte-identical`, {
      timeout: 1_200_000,
    }, async () => {
      await killRepeatedly(name);
      await finishAndCompare(name);
    });
  }

  it('eval: every kill leaves only complete artifacts', { timeout: 1_200_000 }, async () => {
    await killRepeatedly('eval');
  });

  it('a second process on a run directory in use is refused, naming the holder, which then finishes', {
    timeout: 1_200_000,
  }, async () => {
    let second: Promise<ChildOutcome> | undefined;
    let holder = 0;
    const out = await stage('eval', FAULTED, {
      onEvent: (path, child) => {
        // Not before the lock holds the pid: a process stopped between creating its lock and writing it leaves a lock
        // that reads as torn, not as held by it.
        if (path !== LOCK_FILE || second !== undefined || lockPid(join(FAULTED, LOCK_FILE)) !== child.pid) return;
        // Stopped, the holder keeps its lock for as long as the second process needs to start and be refused.
        holder = child.pid as number;
        child.kill('SIGSTOP');
        second = stage('eval', FAULTED).finally(() => child.kill('SIGCONT'));
      },
    });
    expect(second, 'the holder never took its lock').toBeDefined();
    const refused = await (second as Promise<ChildOutcome>);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error \[RUN_LOCKED\]: .* is in use by process \d+ .*\(pipeline eval, since /);
    expect(refused.stderr).toContain(`process ${holder} `);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(out.code, describeExit('eval after the refusal', out)).toBe(0);
  });

  it('eval: the rerun after the kills is byte-identical', () => {
    expectSameAsReference('eval');
  });

  it(`took ${STAGES.length} stages through 15 kills, each at its own moment`, () => {
    expect(kills).toHaveLength(15);
    expect(kills.flatMap((k) => k.problems)).toEqual([]);
    // Every kill after the lock was taken left it behind, and the next attempt took it over.
    expect(kills.filter((k) => k.leftLock).length).toBeGreaterThan(0);
  });
});
