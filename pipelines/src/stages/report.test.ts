import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaLoraError, writeArtifact } from '@meta-lora/artifacts';
import { ADAPTATION_FILE, AdaptationArtifact } from '@meta-lora/stage1-adapt';
import { BaselinesArtifact, META_TUNING_FILE, MetaTuningArtifact } from '@meta-lora/stage2-meta';
import { thrownBy } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoadedExperiment, loadExperiment } from '../experiment.ts';
import { readMetaIterations, readSanityRun } from './report.ts';

const root = mkdtempSync(join(tmpdir(), 'meta-lora-report-stage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const lineage = { configHash: 'fixture', seed: 0, parents: [], createdBy: 'test' };
/** The smoke experiment in a run directory of its own, with a grid of three MeTA-LoRA candidates. */
function experiment(name: string): LoadedExperiment {
  const exp = loadExperiment('smoke');
  const metaGrid = [0.01, 0.03, 0.1].map((innerLr) => ({ innerLr }));
  return { ...exp, runDir: join(root, name), config: { ...exp.config, train: { ...exp.config.train, metaGrid } } };
}
const jsonl = (losses: (number | null)[]) =>
  `${losses.map((queryLossAfter, iteration) => JSON.stringify({ iteration, queryLossAfter, tasks: [] })).join('\n')}\n`;

describe('readSanityRun', () => {
  it('reads the baselines, the selected candidate’s meta-training log and the adaptation records', () => {
    const exp = experiment('full');
    const train = join(exp.runDir, 'train');
    mkdirSync(join(train, 'meta', 'c1'), { recursive: true });
    mkdirSync(join(exp.runDir, 'adapt'), { recursive: true });
    const baseline = {
      method: 'multi-task-full' as const,
      taskId: '*',
      adapterDir: 'adapters/baselines/multi-task-full',
      lr: 1e-3,
      steps: 40,
      bestStep: 30,
      lossFirst: 3,
      lossLast: 1.5,
      examples: 100,
      tokens: 2000,
      examplesTrained: 90,
      tokensTrained: 1800,
    };
    writeArtifact(join(train, 'baselines.arrow'), BaselinesArtifact, [baseline], lineage);
    const candidate = (i: number) => ({ candidate: i, innerLr: 0.1, innerSteps: 3, metaLr: 1e-3, iterations: 2 });
    writeArtifact(
      join(train, META_TUNING_FILE),
      MetaTuningArtifact,
      [0, 1, 2].map((i) => ({ ...candidate(i), selected: i === 1 })),
      lineage,
    );
    writeFileSync(join(train, 'meta', 'c1', 'metrics.jsonl'), jsonl([3, 2]));
    const adaptation = {
      taskId: 'spam',
      examples: 16,
      innerLr: 0.1,
      innerSteps: 3,
      supportLossBefore: 2,
      supportLossAfter: 1,
    };
    writeArtifact(join(exp.runDir, 'adapt', ADAPTATION_FILE), AdaptationArtifact, [adaptation], lineage);

    const run = readSanityRun(exp);
    expect([run.k, run.seed]).toEqual([exp.config.data.k, exp.config.data.seed]);
    expect(run.baselines).toEqual([baseline]);
    expect(run.metaIterations).toEqual([
      { iteration: 0, queryLossAfter: 3 },
      { iteration: 1, queryLossAfter: 2 },
    ]);
    expect(run.adaptation).toEqual([adaptation]);
  });

  it('leaves out what an older run did not record', () => {
    const exp = experiment('old');
    mkdirSync(join(exp.runDir, 'train'), { recursive: true });
    const v1 = { ...BaselinesArtifact, schemaVersion: 1 };
    writeArtifact(join(exp.runDir, 'train', 'baselines.arrow'), v1, [], lineage);
    const run = readSanityRun(exp);
    expect([run.baselines, run.metaIterations, run.adaptation]).toEqual([undefined, undefined, undefined]);
  });
});

describe('readMetaIterations', () => {
  it('reads a diverged (null) loss as NaN, so the check fails rather than the report', () => {
    const path = join(root, 'nan.jsonl');
    writeFileSync(path, jsonl([3, null]));
    expect(readMetaIterations(path)[1]!.queryLossAfter).toBeNaN();
  });

  it('names the file and line of a line without the fields', () => {
    const path = join(root, 'bad.jsonl');
    writeFileSync(path, `${jsonl([3])}{"step": 1}\n`);
    const error = thrownBy(() => readMetaIterations(path), MetaLoraError);
    expect([error.code, error.details.path, error.details.line]).toEqual(['DATA_INVALID', path, 2]);
  });
});
