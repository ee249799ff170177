/**
 * A study end to end on the smoke experiment (one cell: k = 4, seed 0), published into a scratch results directory;
 * then `--interim` over a grid that also holds seed 1 (the finished cell is reported, the unfinished one is named as
 * missing and nothing is run for it), and a fresh run directory that finds the published cell.
 */
import { cpSync, existsSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ArtifactKind, MetaLoraError, readArtifact, writeArtifact } from '@meta-lora/artifacts';
import { EvalCellsArtifact, EvalExamplesArtifact, EvalResultsArtifact } from '@meta-lora/eval';
import { tempDir, thrownBy } from '@meta-lora/vitest-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPERIMENTS_DIR, type LoadedExperiment, loadExperiment } from './experiment.ts';
import { cellLocator, firstSeedChoices, runStudy, type StudyInfo, studyVariant } from './study.ts';
import { CELL_FILE, cellIdentity, publishedCellResults } from './study-cells.ts';

const root = tempDir('study-interim');
const resultsDir = join(root, 'results');
cpSync(join(EXPERIMENTS_DIR, 'smoke'), join(root, 'smoke'), { recursive: true });
/** The smoke experiment with a study grid of k = 4 and `seeds`, in the scratch run directory `run`. */
function smokeStudy(seeds: number[], run = 'run'): LoadedExperiment {
  writeFileSync(join(root, 'smoke', 'experiment.json'), JSON.stringify({ study: { ks: [4], seeds } }));
  return { ...loadExperiment('smoke', root), runDir: join(root, run) };
}
const cellDir = join(resultsDir, 'cells', 'k4-seed0');
/** Rewrites the eval results in `evalDir`, and their companions, without `method`'s rows. */
function withoutMethod(evalDir: string, method: string): void {
  const lineage = { configHash: 'test', seed: 0, createdBy: 'study-interim.test' };
  const rewrite = <Row extends { method: string }>(file: string, kind: ArtifactKind<Row>, parents: string[]) => {
    const path = join(evalDir, file);
    const rows = readArtifact(path, kind).rows.filter((r) => r.method !== method);
    return writeArtifact(path, kind, rows, { ...lineage, parents }).artifactId;
  };
  const resultsId = rewrite('eval-results.arrow', EvalResultsArtifact, []);
  rewrite('eval-examples.arrow', EvalExamplesArtifact, [resultsId]);
  rewrite('eval-cells.arrow', EvalCellsArtifact, [resultsId]);
}
/** Where the `against` tests publish: studies side by side, as under docs/results/. */
const published = join(root, 'published');
/** A copy of the smoke experiment with `study.against: other`, its results beside the other's, in a new run dir. */
function followUpOf(other: string): { exp: LoadedExperiment; results: string } {
  const name = `follow-${other}`;
  cpSync(join(root, 'smoke'), join(root, name), { recursive: true });
  writeFileSync(
    join(root, name, 'experiment.json'),
    JSON.stringify({ study: { ks: [4], seeds: [0], against: other } }),
  );
  return { exp: { ...loadExperiment(name, root), runDir: join(root, `run-${name}`) }, results: join(published, name) };
}
const resultRows = (dir: string) => readArtifact(join(dir, 'eval', 'eval-results.arrow'), EvalResultsArtifact).rows;

describe('pnpm study', () => {
  beforeAll(async () => {
    await runStudy(smokeStudy([0]), () => {}, { publish: true, resultsDir });
  }, 900_000);

  it('records each cell’s commit, and reports no missing cell once all have run', () => {
    const whole = JSON.parse(readFileSync(join(root, 'run', 'study', 'study.json'), 'utf8')) as StudyInfo;
    expect(whole.missing).toEqual([]);
    // Each cell records the commit it ran at; the study's commit is theirs, beside the one that rendered the report.
    expect(whole.variants[0]?.commit).toBe(whole.reportCommit);
    expect(whole.commit).toBe(whole.reportCommit);
    // …and the seconds of each stage, which add up to about the cell's
    const { seconds, stages = {} } = whole.variants[0] ?? { seconds: 0 };
    expect(Object.keys(stages)).toEqual(['data', 'train', 'adapt', 'eval']);
    const sum = Object.values(stages).reduce((a, b) => a + b, 0);
    expect(sum).toBeGreaterThan(0.9 * seconds);
    expect(sum).toBeLessThanOrEqual(seconds + 1e-6); // each a difference of integer milliseconds / 1000
    expect(readFileSync(join(root, 'run', 'study', 'report', 'report.md'), 'utf8')).not.toContain('Interim report');
  });

  it('--interim reports the finished cells, names the missing ones and runs nothing', async () => {
    const lines: string[] = [];
    await runStudy(smokeStudy([0, 1]), (line) => lines.push(line), { interim: true, ignorePublished: true });
    const dir = join(root, 'run', 'study-interim');
    const info = JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')) as StudyInfo;
    expect(info.missing).toEqual([{ k: 4, seed: 1 }]);
    expect(info.variants.map((v) => `${v.k}/${v.seed}`)).toEqual(['4/0']);
    expect(readFileSync(join(dir, 'report', 'report.md'), 'utf8')).toContain(
      '> Interim report: 1 of 2 (k, seed) cells have finished; missing k = 4 seed 1.',
    );
    expect(lines).toContain('k 4, seed 1: not finished, left out');
    expect(existsSync(join(root, 'run', 'study', 'k4-seed1'))).toBe(false);
  });

  it('--publish writes each finished cell’s records, with the identity of its config and base model', () => {
    const cell = JSON.parse(readFileSync(join(cellDir, CELL_FILE), 'utf8')) as { identity: string; k: number };
    expect(cell).toMatchObject({ k: 4, seed: 0 });
    expect(cell.identity).toBe(cellIdentity(studyVariant(smokeStudy([0]), 4, 0, true)));
    for (const file of [
      'variant-time.json',
      'eval/eval-examples.arrow',
      'train/baselines.arrow',
      'adapt/adaptation.arrow',
    ]) {
      expect(existsSync(join(cellDir, file)), file).toBe(true);
    }
    expect(resultRows(cellDir)).toEqual(resultRows(join(root, 'run', 'study', 'k4-seed0')));
  });

  it('a fresh run directory takes the published cell as finished: runs nothing, reports the same results', async () => {
    const lines: string[] = [];
    await runStudy(smokeStudy([0], 'fresh'), (line) => lines.push(line), { resultsDir });
    expect(lines).toContain(`k 4, seed 0: reusing ${join(cellDir, 'eval', 'eval-results.arrow')}`);
    expect(existsSync(join(root, 'fresh', 'study', 'k4-seed0'))).toBe(false);
    expect(resultRows(join(root, 'fresh', 'study'))).toEqual(resultRows(join(root, 'run', 'study')));
    // the whole report, sanity checks and tuning records included, from the published records alone
    const report = (run: string) => readFileSync(join(root, run, 'study', 'report', 'report.md'), 'utf8');
    expect(report('fresh')).toBe(report('run'));
    const info = JSON.parse(readFileSync(join(root, 'fresh', 'study', 'study.json'), 'utf8')) as StudyInfo;
    expect(info.variants).toHaveLength(1);
    expect(info.variants[0]?.seconds).toBeGreaterThan(0); // the cell's own wall time, from its records
  });

  it('a later seed takes the first seed’s choices from its published cell', () => {
    const fresh = smokeStudy([0, 1], 'fresh');
    const published = firstSeedChoices(
      fresh,
      cellLocator(fresh, { resultsDir }, () => {}),
    );
    expect(published).toEqual(firstSeedChoices(smokeStudy([0, 1])));
    expect(published.byK['4']).toBeDefined();
    expect(firstSeedChoices(fresh).byK['4']).toBeUndefined(); // the fresh run directory alone holds nothing
  });

  it('a study `against` another compares each method with itself there, from the published cells', async () => {
    // The follow-up reuses the smoke cell (experiment.json is not part of a cell's identity), so each method equals
    // itself there; the smoke study's copy lacks MeTA-LoRA shared, so that row shows the other study was read.
    const { exp, results } = followUpOf('smoke');
    const other = join(published, 'smoke', 'cells', 'k4-seed0');
    cpSync(cellDir, other, { recursive: true });
    withoutMethod(join(other, 'eval'), 'meta-lora-shared');
    cpSync(cellDir, join(results, 'cells', 'k4-seed0'), { recursive: true });
    await runStudy(exp, () => {}, { interim: true, resultsDir: results });
    const report = readFileSync(join(exp.runDir, 'study-interim', 'report', 'report.md'), 'utf8');
    expect(report).toContain('## Against the smoke study');
    const row = (label: string) => report.split('\n').find((l) => l.startsWith(`| ${label} | ${label} |`));
    expect(row('MeTA-LoRA shared + stage-1 adaptation, k = 4')).toMatch(
      /\| \+0\.0 \| \[\+0\.0, \+0\.0\] \| s0 \+0\.0 \|/,
    );
    expect(row('MeTA-LoRA shared, k = 4')).toBeUndefined();
    const info = JSON.parse(readFileSync(join(exp.runDir, 'study-interim', 'study.json'), 'utf8')) as StudyInfo;
    expect(info.against).toMatchObject({ experiment: 'smoke', cells: [{ k: 4, seed: 0 }], missing: [] });
  });

  it('a study `against` one with no published cell says so and leaves the section out', async () => {
    const { exp, results } = followUpOf('smoke-unpublished');
    cpSync(join(root, 'smoke'), join(root, 'smoke-unpublished'), { recursive: true });
    cpSync(cellDir, join(results, 'cells', 'k4-seed0'), { recursive: true });
    const lines: string[] = [];
    await runStudy(exp, (line) => lines.push(line), { interim: true, resultsDir: results });
    expect(lines).toContain(
      `against smoke-unpublished: k = 4 seed 0 not published in ${join(published, 'smoke-unpublished')}; left out`,
    );
    const report = readFileSync(join(exp.runDir, 'study-interim', 'report', 'report.md'), 'utf8');
    expect(report).not.toContain('## Against');
  });

  it('a study `against` no experiment, or itself, is refused before any cell runs', async () => {
    for (const [name, against] of [
      ['follow-none', 'no-such-study'],
      ['self-study', 'self-study'],
    ] as const) {
      cpSync(join(root, 'smoke'), join(root, name), { recursive: true });
      writeFileSync(join(root, name, 'experiment.json'), JSON.stringify({ study: { ks: [4], seeds: [0], against } }));
      const exp = { ...loadExperiment(name, root), runDir: join(root, `run-${name}`) };
      await expect(runStudy(exp, () => {}, { resultsDir: join(published, name) })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        details: { field: 'study.against', value: against },
      });
      expect(existsSync(join(exp.runDir, 'study', 'k4-seed0'))).toBe(false);
    }
  });

  it('a published cell read `against` may hold no symbolic link, and must be the cell its directory names', () => {
    const dir = join(published, 'linked');
    const cell = join(dir, 'cells', 'k4-seed0');
    cpSync(cellDir, cell, { recursive: true });
    expect(publishedCellResults(dir, 4, 0)?.resultsPath).toBe(join(cell, 'eval', 'eval-results.arrow'));
    expect(() => publishedCellResults(dir, 8, 0)).not.toThrow(); // not published: undefined
    const cells = join(cell, 'eval', 'eval-cells.arrow');
    renameSync(cells, `${cells}.real`);
    symlinkSync(`${cells}.real`, cells);
    expect(thrownBy(() => publishedCellResults(dir, 4, 0), MetaLoraError).code).toBe('DATA_INVALID');
    rmSync(cells);
    renameSync(`${cells}.real`, cells);
    cpSync(cell, join(dir, 'cells', 'k4-seed1'), { recursive: true });
    const error = thrownBy(() => publishedCellResults(dir, 4, 1), MetaLoraError);
    expect(error.message).toContain('the cell in k4-seed1/ says it is k 4, seed 0');
  });

  it('a malformed record in a published cell is an error naming the file, the field and the fix', async () => {
    const path = join(cellDir, 'variant-time.json');
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, '{"seconds": "soon"}');
    try {
      await expect(runStudy(smokeStudy([0], 'fresh2'), () => {}, { interim: true, resultsDir })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        details: { path, field: 'variant-time.seconds', fix: expect.stringContaining(`delete ${cellDir}`) },
      });
    } finally {
      writeFileSync(path, good);
    }
  });

  it('a published cell of another configuration is not taken, and the study says why', async () => {
    const path = join(cellDir, CELL_FILE);
    const cell = JSON.parse(readFileSync(path, 'utf8')) as { identity: string };
    writeFileSync(path, JSON.stringify({ ...cell, identity: 'f'.repeat(64) }));
    const lines: string[] = [];
    rmSync(join(root, 'fresh'), { recursive: true, force: true });
    await expect(
      runStudy(smokeStudy([0], 'fresh'), (line) => lines.push(line), { interim: true, resultsDir }),
    ).rejects.toThrow(/no cell of the smoke study has finished yet/);
    expect(lines.some((l) => l.includes('ran another configuration or base model'))).toBe(true);
    expect(lines).toContain('k 4, seed 0: not finished, left out');
  });
});
