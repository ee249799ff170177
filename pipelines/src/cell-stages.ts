/**
 * Running a study cell's stages so that a cell resumed after a failure starts at the stage that failed. Each stage that
 * finishes is recorded in the cell's `stages-finished.json` with the cell's identity (`cellIdentity`), its seconds and
 * the commit it ran at (the identity covers what the numbers depend on, not the code, so a resumed cell says which
 * commits its stages ran at);
 * a rerun of the cell skips the recorded stages from the first on, while the identity matches and the stage's directory
 * is there, and runs the rest. Running a stage drops the records of the stages after it first (they read its outputs).
 *
 * Why: the stages are deterministic and write atomically, so a finished stage run again gives the same bytes, but not
 * for free: a cell whose eval failed retrained its baselines (minutes at a few examples per task, ~40 min for the
 * full-data references of a study's first cells) before evaluating again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@meta-lora/artifacts';
import { z } from 'zod';

/** The record of a cell's finished stages, in its run directory. */
export const STAGES_FINISHED = 'stages-finished.json';

const StagesFinishedSchema = z.strictObject({
  identity: z.string().describe('`cellIdentity` of the cell the stages ran for'),
  stages: z
    .array(z.strictObject({ name: z.string(), seconds: z.number().min(0), commit: z.string().optional() }))
    .describe('the stages finished, in order, with the wall seconds and the commit of the run that finished each'),
});
type StagesFinished = z.output<typeof StagesFinishedSchema>;

/** One stage of a cell: its name (also its directory in the cell) and what runs it. */
export type CellStage = readonly [name: string, run: () => Promise<void>];

/** The seconds of each stage of a cell, taken from the record where a stage was not run again. */
export interface CellStagesResult {
  readonly stages: Record<string, number>;
  /** The commit each stage ran at ('unknown' for a stage recorded without one). */
  readonly commits: Record<string, string>;
  /** The stages taken from the record, in order. */
  readonly reused: readonly string[];
}

/**
 * Runs `stages` in order in the cell at `runDir` (of identity `identity`, at `commit`), skipping the leading ones its
 * record says finished for the same identity.
 *
 * @example
 * const { stages, reused } = await runCellStages(variant.runDir, cellIdentity(variant), gitCommit(), [['data', () => runDataStage(variant, log)], …], log);
 */
export async function runCellStages(
  runDir: string,
  identity: string,
  commit: string,
  stages: readonly CellStage[],
  log: (line: string) => void,
): Promise<CellStagesResult> {
  const recorded = readStagesFinished(runDir, identity, log);
  const finished: StagesFinished['stages'] = [];
  const reused: string[] = [];
  for (const [i, [name, run]] of stages.entries()) {
    const record = recorded[i];
    // Only a leading run of recorded stages: once a stage runs, those after it run too.
    if (reused.length === i && record?.name === name && existsSync(join(runDir, name))) {
      finished.push(record);
      reused.push(name);
      log(`${name}: finished before (at ${record.commit ?? 'an unknown commit'}), reused from ${join(runDir, name)}`);
      continue;
    }
    // The stages after this one read its outputs: their records go before it runs.
    writeStagesFinished(runDir, { identity, stages: finished });
    const started = Date.now();
    await run();
    finished.push({ name, seconds: (Date.now() - started) / 1000, commit });
    writeStagesFinished(runDir, { identity, stages: finished });
  }
  return {
    stages: Object.fromEntries(finished.map((s) => [s.name, s.seconds])),
    commits: Object.fromEntries(finished.map((s) => [s.name, s.commit ?? 'unknown'])),
    reused,
  };
}

/** The stages recorded as finished for `identity` in `runDir`; none when there is no record or it is another cell's. */
function readStagesFinished(runDir: string, identity: string, log: (line: string) => void): StagesFinished['stages'] {
  const path = join(runDir, STAGES_FINISHED);
  if (!existsSync(path)) return [];
  let parsed: StagesFinished;
  try {
    parsed = StagesFinishedSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    log(`${path} is not a record of finished stages: running every stage of the cell`);
    return [];
  }
  if (parsed.identity !== identity) {
    log(`${path} records another configuration of the cell: running every stage`);
    return [];
  }
  return parsed.stages;
}

function writeStagesFinished(runDir: string, record: StagesFinished): void {
  writeFileAtomic(join(runDir, STAGES_FINISHED), `${JSON.stringify(record)}\n`);
}
