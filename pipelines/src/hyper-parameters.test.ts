import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from './experiment.ts';
import {
  applyChoices,
  readStudyChoices,
  type StudyChoices,
  withStudyChoices,
  writeStudyChoices,
} from './hyper-parameters.ts';

const choices: StudyChoices = {
  fullData: { 'single-task:sentiment': 0.003, 'multi-task-full:*': 0.001 },
  byK: { '16': { meta: { innerLr: 0.03, innerSteps: 5, metaLr: 0.001 }, lrFor: { 'multi-task-pool:*': 0.0003 } } },
};

describe('a study’s chosen hyper-parameters', () => {
  const exp = loadExperiment('multitask');

  it('pins MeTA-LoRA’s candidate and every learning rate at a k the file holds', () => {
    const pinned = applyChoices(exp, choices, 16);
    expect(pinned.config.train.metaGrid).toEqual([{ innerLr: 0.03, innerSteps: 5, metaLr: 0.001 }]);
    expect(pinned.config.train.baselines.lrFor).toEqual({
      'single-task:sentiment': 0.003,
      'multi-task-full:*': 0.001,
      'multi-task-pool:*': 0.0003,
    });
  });

  it('keeps the k-dependent grids at a k the file does not hold', () => {
    const pinned = applyChoices(exp, choices, 8);
    expect(pinned.config.train.metaGrid).toEqual(exp.config.train.metaGrid);
    expect(pinned.config.train.baselines.lrFor).not.toHaveProperty('multi-task-pool:*');
  });

  it('reads back what it writes', () => {
    const path = join(tempDir('hp-roundtrip'), 'hyper-parameters.json');
    writeStudyChoices(path, 'multitask', 'abc', choices);
    expect(readStudyChoices(path)).toEqual(choices);
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
