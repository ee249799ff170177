import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from './experiment.ts';
import { applyChoices, readStudyChoices, withStudyChoices, writeStudyChoices } from './hyper-parameters.ts';
import { CHOICES, expectChoicesPinned } from './test-fixtures.ts';

describe('a study’s chosen hyper-parameters', () => {
  const exp = loadExperiment('multitask');

  it('pins MeTA-LoRA’s candidate and every learning rate at a k the file holds', () => {
    expectChoicesPinned(applyChoices(exp, CHOICES, 16));
  });

  it('keeps the k-dependent grids at a k the file does not hold', () => {
    const pinned = applyChoices(exp, CHOICES, 8);
    expect(pinned.config.train.metaGrid).toEqual(exp.config.train.metaGrid);
    expect(pinned.config.train.baselines.lrFor).not.toHaveProperty('multi-task-pool:*');
  });

  it('reads back what it writes', () => {
    const path = join(tempDir('hp-roundtrip'), 'hyper-parameters.json');
    writeStudyChoices(path, 'multitask', 'abc', CHOICES);
    expect(readStudyChoices(path)).toEqual(CHOICES);
  });

  it('refuses a malformed file with its path and the field', () => {
    const path = join(tempDir('hp-bad'), 'hyper-parameters.json');
    writeFileSync(
      path,
      JSON.stringify({
        experiment: 'x',
        commit: 'y',
        note: '',
        choices: { fullData: {}, byK: { '16': { meta: { innerLr: -1, innerSteps: 3, metaLr: 0.001 } } } },
      }),
    );
    expect(() => readStudyChoices(path)).toThrowError(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        details: expect.objectContaining({ path, field: 'hyper-parameters.choices.byK.16.meta.innerLr' }),
      }),
    );
  });

  it('searches the grids, and says so, when the named file does not exist', () => {
    const lines: string[] = [];
    const named = {
      ...exp,
      config: { ...exp.config, experiment: { ...exp.config.experiment, hyperParameters: 'no/such/file.json' } },
    };
    expect(withStudyChoices(named, (l) => lines.push(l)).config.train).toEqual(exp.config.train);
    expect(lines.join('\n')).toMatch(/does not exist yet, so every grid is searched/);
  });
});
