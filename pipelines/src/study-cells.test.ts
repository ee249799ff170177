import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { tempDir, thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { type LoadedExperiment, loadExperiment } from './experiment.ts';
import { REPO_ROOT } from './run-dir.ts';
import { studyVariant } from './study.ts';
import {
  CELL_FILE,
  cellIdentity,
  findFinishedCell,
  isPublished,
  publishCell,
  publishedCellDir,
  writeVariantTime,
} from './study-cells.ts';

const root = tempDir('study-cells');
const exp = { ...loadExperiment('smoke'), runDir: join(root, 'run') };
const variant = studyVariant(exp, 4, 0, true);
/** `v` with `change` applied to its config. */
const withConfig = (v: LoadedExperiment, change: (c: LoadedExperiment['config']) => LoadedExperiment['config']) => ({
  ...v,
  config: change(v.config),
});
/** A copy of the embedded model's files in `dir`, with `edit` applied to its tokenizer_config.json. */
function modelCopy(dir: string, edit = ''): string {
  mkdirSync(dir, { recursive: true });
  const from = join(REPO_ROOT, 'models', 'meta-lora-base');
  for (const f of readdirSync(from)) copyFileSync(join(from, f), join(dir, f));
  if (edit) writeFileSync(join(dir, 'tokenizer_config.json'), edit);
  return dir;
}
/** A finished cell in `dir` as far as the study looks: its time record (with `identity`) and a results file. */
function fakeFinishedCell(dir: string, identity?: string): void {
  mkdirSync(join(dir, 'eval'), { recursive: true });
  writeFileSync(join(dir, 'eval', 'eval-results.arrow'), 'results');
  writeVariantTime(dir, { seconds: 1, ...(identity ? { identity } : {}) });
}

describe('cellIdentity', () => {
  it('is a 64-digit hash, the same wherever the run directory is', () => {
    expect(cellIdentity(variant)).toMatch(/^[0-9a-f]{64}$/);
    expect(cellIdentity({ ...variant, runDir: join(root, 'elsewhere') })).toBe(cellIdentity(variant));
  });

  it('ignores experiment.json: a study growing its grid, a description, published choices', () => {
    const grown = withConfig(variant, (c) => ({
      ...c,
      experiment: {
        ...c.experiment,
        description: 'another',
        hyperParameters: 'docs/results/smoke/hyper-parameters.json',
        study: { ...c.experiment.study, seeds: [0, 1, 2, 3], ks: [4, 8, 256] },
      },
    }));
    expect(cellIdentity(grown)).toBe(cellIdentity(variant));
  });

  it('changes with a training setting, the seed or k', () => {
    const lr = withConfig(variant, (c) => ({ ...c, train: { ...c.train, metaLr: c.train.metaLr * 2 } }));
    expect(cellIdentity(lr)).not.toBe(cellIdentity(variant));
    expect(cellIdentity(studyVariant(exp, 4, 1, true))).not.toBe(cellIdentity(variant));
    expect(cellIdentity(studyVariant(exp, 8, 0, true))).not.toBe(cellIdentity(variant));
  });

  it('changes with the tokenizer files of the base model, not with where the model sits', () => {
    const at = (dir: string) =>
      cellIdentity(withConfig(variant, (c) => ({ ...c, experiment: { ...c.experiment, model: dir } })));
    const same = at(modelCopy(join(root, 'model-a')));
    expect(same).toBe(cellIdentity(variant));
    expect(at(modelCopy(join(root, 'model-b'), '{"model_max_length": 8}'))).not.toBe(same);
  });

  it('changes with the contents of a user data file, not its name alone', () => {
    const file = join(root, 'tasks.jsonl');
    const withPaths = withConfig(variant, (c) => ({ ...c, data: { ...c.data, paths: [file] } }));
    writeFileSync(file, '{"task":"a","input":"x","target":"y"}\n');
    const before = cellIdentity(withPaths);
    writeFileSync(file, '{"task":"a","input":"x","target":"z"}\n');
    expect(cellIdentity(withPaths)).not.toBe(before);
  });
});

describe('findFinishedCell', () => {
  const published = publishedCellDir(join(root, 'results'), 4, 0);

  it('takes a run-directory cell of the same identity, or one from before cells recorded it', () => {
    const v = { ...variant, runDir: join(root, 'same') };
    fakeFinishedCell(v.runDir, cellIdentity(v));
    expect(findFinishedCell(v, undefined)?.dir).toBe(v.runDir);
    const legacy = { ...variant, runDir: join(root, 'legacy') };
    fakeFinishedCell(legacy.runDir);
    expect(findFinishedCell(legacy, undefined)?.dir).toBe(legacy.runDir);
  });

  it('leaves a run-directory cell of another identity, and says so', () => {
    const v = { ...variant, runDir: join(root, 'other') };
    fakeFinishedCell(v.runDir, 'f'.repeat(64));
    const lines: string[] = [];
    expect(findFinishedCell(v, undefined, (l) => lines.push(l))).toBeUndefined();
    expect(lines[0]).toMatch(/ran another configuration or base model \(identity ffffffffffff/);
  });

  it('is not finished before its time record is written (the last write of a cell)', () => {
    const v = { ...variant, runDir: join(root, 'half') };
    mkdirSync(join(v.runDir, 'eval'), { recursive: true });
    writeFileSync(join(v.runDir, 'eval', 'eval-results.arrow'), 'results');
    expect(findFinishedCell(v, undefined)).toBeUndefined();
  });

  it('refuses a published cell holding a symbolic link, naming it', () => {
    const v = { ...variant, runDir: join(root, 'none') };
    fakeFinishedCell(published, cellIdentity(v));
    writeFileSync(
      join(published, CELL_FILE),
      JSON.stringify({ k: 4, seed: 0, identity: cellIdentity(v), commit: 'c', config: {} }),
    );
    expect(findFinishedCell(v, published)?.dir).toBe(published);
    symlinkSync('/etc/hostname', join(published, 'train'));
    const error = thrownBy(() => findFinishedCell(v, published), MetaLoraError);
    expect(error.code).toBe('DATA_INVALID');
    expect(error.details).toMatchObject({ path: join(published, 'train') });
  });
});

describe('publishCell', () => {
  it('refuses to write through a symbolic link at the cell, and leaves its target alone', async () => {
    const source = { ...variant, runDir: join(root, 'src') };
    fakeFinishedCell(source.runDir, cellIdentity(source));
    const elsewhere = join(root, 'elsewhere-dir');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(elsewhere, 'keep.txt'), 'keep');
    const target = publishedCellDir(join(root, 'linked'), 4, 0);
    mkdirSync(join(root, 'linked', 'cells'), { recursive: true });
    symlinkSync(elsewhere, target);
    await expect(publishCell(source, target, 'c')).rejects.toMatchObject({ code: 'DATA_INVALID' });
    expect(readdirSync(elsewhere)).toEqual(['keep.txt']);
  });

  it('publishes the identity the cell recorded, and clears what a killed publisher left', async () => {
    const source = { ...variant, runDir: join(root, 'src2') };
    fakeFinishedCell(source.runDir, 'a'.repeat(64));
    const cells = join(root, 'killed', 'cells');
    mkdirSync(join(cells, '.k4-seed0.999999.0.tmp'), { recursive: true });
    writeFileSync(join(cells, '.meta-lora.lock'), JSON.stringify({ pid: 999999, host: hostname(), what: 'x' }));
    await publishCell(source, join(cells, 'k4-seed0'), 'c');
    expect(readdirSync(cells)).toEqual(['k4-seed0']);
    expect(existsSync(join(cells, 'k4-seed0', 'eval', 'eval-results.arrow'))).toBe(true);
  });

  it('is known to be published until the run directory holds another finish of the cell', async () => {
    const source = { ...variant, runDir: join(root, 'src3') };
    fakeFinishedCell(source.runDir, cellIdentity(source));
    const target = publishedCellDir(join(root, 'again'), 4, 0);
    expect(isPublished(source.runDir, target)).toBe(false);
    await publishCell(source, target, 'c');
    expect(isPublished(source.runDir, target)).toBe(true);
    writeVariantTime(source.runDir, { seconds: 2, identity: cellIdentity(source) }); // the cell ran again
    expect(isPublished(source.runDir, target)).toBe(false);
  });
});
