import { join } from 'node:path';
import { writeArtifact } from '@meta-lora/artifacts';
import { type BaselineRow, BaselinesArtifact, META_TUNING_FILE, MetaTuningArtifact } from '@meta-lora/stage2-meta';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from './experiment.ts';
import {
  firstSeedChoices,
  parseStudyArgs,
  referenceK,
  reuseFirstSeedChoices,
  studyCells,
  studyOrder,
  studyVariant,
} from './study.ts';
import { expectChoicesPinned } from './test-fixtures.ts';

describe('study variants', () => {
  const exp = loadExperiment('multitask');

  it('sets k and seed and keeps support + query within k', () => {
    const v = studyVariant(exp, 4, 2, true);
    expect(v.config.data.k).toBe(4);
    expect(v.config.data.seed).toBe(2);
    expect(v.config.train.seed).toBe(2);
    expect(v.config.data.episodes.supportSize + v.config.data.episodes.querySize).toBeLessThanOrEqual(4);
    expect(v.runDir).toMatch(/study\/k4-seed2$/);
  });

  it('trains and scores the k-independent references only at the first k', () => {
    const later = studyVariant(exp, 32, 0, false);
    expect(later.config.train.baselineMethods).toEqual(['multi-task-pool']);
    expect(later.config.eval.methods).not.toContain('single-task-lora');
    expect(later.config.eval.methods).toContain('meta-lora-adapted');
    expect(studyVariant(exp, 4, 0, true).config.eval.methods).toContain('multi-task-lora-full');
  });
});

describe('study order', () => {
  it('runs the experiment’s own k first, with the k-independent references', () => {
    const exp = loadExperiment('multitask');
    expect(referenceK(exp)).toBe(exp.config.data.k);
    expect(studyOrder(exp)[0]).toBe(exp.config.data.k);
    expect([...studyOrder(exp)].sort((a, b) => a - b)).toEqual(
      [...exp.config.experiment.study.ks].sort((a, b) => a - b),
    );
  });

  it('runs the reference k at every seed before any other k, and each k at its first seed before the others', () => {
    const exp = loadExperiment('multitask');
    const { ks, seeds } = exp.config.experiment.study;
    const cells = studyCells(exp);
    expect(cells).toHaveLength(ks.length * seeds.length);
    expect(cells.slice(0, seeds.length)).toEqual(seeds.map((seed) => ({ k: referenceK(exp), seed })));
    for (const k of ks) expect(cells.find((c) => c.k === k)?.seed).toBe(seeds[0]);
  });

  it('falls back to the first k of the grid when the experiment’s k is not in it', () => {
    const base = loadExperiment('multitask');
    const exp = { ...base, config: { ...base.config, data: { ...base.config.data, k: 5 } } };
    expect(referenceK(exp)).toBe(base.config.experiment.study.ks[0]);
  });
});

describe('hyper-parameters reused from the first seed', () => {
  const lineage = { configHash: 'test', seed: 0, parents: [], createdBy: 'study.test' };
  const baseline = (method: BaselineRow['method'], taskId: string, lr: number): BaselineRow => ({
    method,
    taskId,
    adapterDir: 'a',
    lr,
    steps: 10,
    bestStep: 5,
    lossFirst: 2,
    lossLast: 1,
    examples: 4,
    tokens: 40,
    examplesTrained: 4,
    tokensTrained: 40,
  });
  const exp = { ...loadExperiment('multitask'), runDir: tempDir('study-reuse') };
  const k0 = referenceK(exp);
  const k1 = studyOrder(exp)[1] as number;
  const trainDir = (k: number, first: boolean) => join(studyVariant(exp, k, 0, first).runDir, 'train');
  writeArtifact(
    join(trainDir(k0, true), 'baselines.arrow'),
    BaselinesArtifact,
    [baseline('single-task', 'sentiment', 0.003), baseline('multi-task-full', '*', 0.001)],
    lineage,
  );
  writeArtifact(
    join(trainDir(k1, false), 'baselines.arrow'),
    BaselinesArtifact,
    [baseline('multi-task-pool', '*', 0.0003)],
    lineage,
  );
  writeArtifact(
    join(trainDir(k1, false), META_TUNING_FILE),
    MetaTuningArtifact,
    [
      { candidate: 0, innerLr: 0.1, innerSteps: 3, metaLr: 0.001, iterations: 50, selected: false },
      { candidate: 1, innerLr: 0.03, innerSteps: 5, metaLr: 0.001, iterations: 60, selected: true },
    ],
    lineage,
  );

  it('gives a later seed the first seed’s meta candidate at the same k and every baseline’s learning rate', () => {
    expectChoicesPinned(reuseFirstSeedChoices(exp, studyVariant(exp, k1, 1, false), k1));
  });

  it('publishes the choices of finished cells alone: a cell still training has none yet', () => {
    expect(firstSeedChoices(exp).byK[String(k1)]).toBeDefined(); // the study itself reads the unfinished cell
    expect(firstSeedChoices(exp, undefined, { finishedOnly: true })).toEqual({ fullData: {}, byK: {} });
  });

  it('leaves the first seed, and a study that tunes at every seed, searching the grids', () => {
    expect(reuseFirstSeedChoices(exp, studyVariant(exp, k1, 0, false), k1).config.train.metaGrid).toHaveLength(3);
    const every = {
      ...exp,
      config: {
        ...exp.config,
        experiment: { ...exp.config.experiment, study: { ...exp.config.experiment.study, tuneAtEverySeed: true } },
      },
    };
    expect(reuseFirstSeedChoices(every, studyVariant(every, k1, 1, false), k1).config.train.baselines.lrFor).toEqual(
      {},
    );
  });
});

describe('pnpm study arguments', () => {
  it('skips the -- separator pnpm passes through', () => {
    expect(parseStudyArgs(['--', '--interim', '--publish'])).toEqual({
      publish: true,
      interim: true,
      ignorePublished: false,
    });
  });

  it('refuses an unknown option, naming it and the known ones', () => {
    expect(() => parseStudyArgs(['--', '--pubish'])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('"--pubish"') }),
    );
  });
});
