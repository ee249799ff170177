/** One kill and what it left behind, and the table the suites print of them. */
import { expect } from 'vitest';
import { describeExit, runChild, type Trigger } from './child-run.ts';
import { type DiskState, inspectRunDir } from './disk-state.ts';

export interface KillRecord {
  /** The trigger: which moment was drawn. */
  readonly label: string;
  /** The event (or delay) that fired the kill. */
  readonly killedAt: string;
  /** Temporary entries the kill left: the writes it cut before their rename (mid-write). */
  readonly leftTemps: readonly string[];
  /** Artifacts found torn, unreadable or incomplete after the kill (must stay empty). */
  readonly problems: readonly string[];
  /** Whether the killed process's run-directory lock was left behind (a stale lock the rerun must take over). */
  readonly leftLock: boolean;
}

/**
 * One line per kill, and the totals.
 *
 * @example
 * process.stdout.write(killSummary('pipeline', kills));
 */
export function killSummary(suite: string, kills: readonly KillRecord[]): string {
  const lines = kills.map(
    (k, i) =>
      `  ${String(i + 1).padStart(2)}. ${k.label}\n      killed at ${k.killedAt}` +
      `${k.leftTemps.length > 0 ? `; cut mid-write: ${k.leftTemps.join(', ')}` : ''}` +
      `${k.leftLock ? '; lock left' : ''}${k.problems.length > 0 ? `; PROBLEMS: ${k.problems.join('; ')}` : ''}`,
  );
  const midWrite = kills.filter((k) => k.leftTemps.length > 0).length;
  const corrupt = kills.reduce((n, k) => n + k.problems.length, 0);
  const locks = kills.filter((k) => k.leftLock).length;
  return (
    `faults (${suite}): ${kills.length} kills, ${midWrite} mid-write, ${corrupt} corrupt or half-written artifacts, ` +
    `${locks} stale locks taken over\n${lines.join('\n')}\n`
  );
}

/** What to do when the run finished before its moment came (a machine faster than the reference run's). */
export interface KillRetry {
  /** Puts the run directory back as it was before the attempt (a resumed stage would otherwise have nothing left). */
  readonly reset?: () => void;
}

/** The same kind of moment, earlier: half the delay, or half the count of events. Undefined when there is none. */
function earlier(trigger: Trigger): Trigger | undefined {
  if (trigger.kind === 'delay') {
    return trigger.ms < 100 ? undefined : { ...trigger, ms: trigger.ms / 2, label: `${trigger.label} (halved)` };
  }
  return trigger.n < 2 ? undefined : { ...trigger, n: Math.ceil(trigger.n / 2), label: `${trigger.label} (halved)` };
}

/**
 * Runs `argv` in `runDir` until `trigger` kills it, records the kill in `kills`, and expects every artifact left on
 * disk to be complete; returns what the disk holds. With `retry`, a run that finished cleanly before its moment is
 * run again with the moment halved (what it wrote is checked like any other); without, that fails the test.
 *
 * @example
 * const after = await killAt(kills, pretrainArgv(dir), dir, trigger, {}, { reset: () => rmSync(dir, { recursive: true }) });
 */
export async function killAt(
  kills: KillRecord[],
  argv: readonly string[],
  runDir: string,
  trigger: Trigger,
  env: NodeJS.ProcessEnv = {},
  retry?: KillRetry,
): Promise<DiskState> {
  const before = inspectRunDir(runDir);
  let moment = trigger;
  let out = await runChild(argv, runDir, { trigger: moment, env });
  for (let next = earlier(moment); !out.killed && retry !== undefined && next !== undefined; next = earlier(next)) {
    expect(out.code, describeExit(`${moment.label}: it failed instead`, out)).toBe(0);
    expect(inspectRunDir(runDir).problems).toEqual([]);
    retry.reset?.();
    moment = next;
    out = await runChild(argv, runDir, { trigger: moment, env });
  }
  expect(out.killed, describeExit(`${moment.label}: it finished before it could be killed`, out)).toBe(true);
  const after = inspectRunDir(runDir);
  kills.push({
    label: moment.label,
    killedAt: out.killedAt ?? '',
    leftTemps: after.temps.filter((t) => !before.temps.includes(t)),
    problems: after.problems,
    leftLock: after.locks.length > 0,
  });
  expect(after.problems, moment.label).toEqual([]);
  return after;
}
