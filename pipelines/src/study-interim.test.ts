/**
 * A study end to end on the smoke experiment (one cell: k = 4, seed 0), then `--interim` over a grid that also holds
 * seed 1: the finished cell is reported, the unfinished one is named as missing and nothing is run for it.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS_DIR, type LoadedExperiment, loadExperiment } from './experiment.ts';
import { runStudy, type StudyInfo } from './study.ts';

const root = tempDir('study-interim');
cpSync(join(EXPERIMENTS_DIR, 'smoke'), join(root, 'smoke'), { recursive: true });
/** The smoke experiment with a study grid of k = 4 and `seeds`, in the scratch run directory. */
function smokeStudy(seeds: number[]): LoadedExperiment {
  writeFileSync(join(root, 'smoke', 'experiment.json'), JSON.stringify({ study: { ks: [4], seeds } }));
  return { ...loadExperiment('smoke', root), runDir: join(root, 'run') };
}

describe('pnpm study -- --interim', () => {
  it('reports the finished cells, names the missing ones and runs nothing', { timeout: 900_000 }, async () => {
    await runStudy(smokeStudy([0]), () => {});
    const whole = JSON.parse(readFileSync(join(root, 'run', 'study', 'study.json'), 'utf8')) as StudyInfo;
    expect(whole.missing).toEqual([]);
    // Each cell records the commit it ran at; the study's commit is theirs, beside the one that rendered the report.
    expect(whole.variants[0]?.commit).toBe(whole.reportCommit);
    expect(whole.commit).toBe(whole.reportCommit);
    expect(readFileSync(join(root, 'run', 'study', 'report', 'report.md'), 'utf8')).not.toContain('Interim report');

    const lines: string[] = [];
    await runStudy(smokeStudy([0, 1]), (line) => lines.push(line), { interim: true });
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
});
