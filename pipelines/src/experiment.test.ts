import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS_DIR, experimentName, loadExperiment } from './experiment.ts';
import { experimentJsonSchemas, SCHEMA_DIR } from './write-json-schema.ts';

function experimentWith(files: Record<string, unknown>): string {
  const root = tempDir('exp');
  mkdirSync(join(root, 'x'));
  for (const [name, json] of Object.entries(files))
    writeFileSync(join(root, 'x', `${name}.json`), JSON.stringify(json));
  return root;
}

describe('experiments', () => {
  it('every committed experiment validates', () => {
    for (const name of ['multitask', 'multilingual', 'multilingual-budget', 'smoke']) {
      expect(loadExperiment(name).config.data.k).toBeGreaterThan(0);
    }
  });

  it('defaults to the multitask experiment', () => {
    expect(experimentName({})).toBe('multitask');
    expect(experimentName({ META_LORA_EXPERIMENT: 'smoke' })).toBe('smoke');
  });

  it('refuses a bad field naming the file, the field and the value', () => {
    const root = experimentWith({ data: { k: 'many' } });
    expect(() => loadExperiment('x', root)).toThrow(/data\.json.*`k`.*got "many"/s);
  });

  it('names the file and the line of a JSON syntax error', () => {
    const root = experimentWith({});
    writeFileSync(join(root, 'x', 'train.json'), '{\n  "metaLr": 0.001\n  "workers": 0\n}\n');
    expect(() => loadExperiment('x', root)).toThrow(/train\.json:line 3: the train stage's config is not valid JSON/);
  });

  it('refuses an unknown key (strict schemas)', () => {
    const root = experimentWith({ data: { kk: 3 } });
    expect(() => loadExperiment('x', root)).toThrow(/data\.json/);
  });

  it('with no baselines trained, evaluates only the methods that need none', () => {
    const { config } = loadExperiment('x', experimentWith({ train: { baselineMethods: [] } }));
    expect(config.eval.methods).toEqual(['base-zero-shot', 'base-in-context', 'meta-lora-shared', 'meta-lora-adapted']);
  });

  it('with a subset of baselines, keeps the evaluation methods of the trained ones', () => {
    const { config } = loadExperiment('x', experimentWith({ train: { baselineMethods: ['multi-task-pool'] } }));
    expect(config.eval.methods).toContain('multi-task-lora-k-shot');
    expect(config.eval.methods).not.toContain('single-task-lora');
  });

  it('refuses up front an evaluation method listed in eval.json whose baseline is not trained', () => {
    const root = experimentWith({ train: { baselineMethods: [] }, eval: { methods: ['multi-task-lora-full'] } });
    expect(() => loadExperiment('x', root)).toThrow(
      /eval\.json.*multi-task-lora-full.*does not train multi-task-full[\s\S]*fix: add "multi-task-full" to baselineMethods/,
    );
  });

  it('refuses an unknown experiment, listing the known ones', () => {
    expect(() => loadExperiment('nope')).toThrow(/no experiment named "nope"[\s\S]*multitask/);
  });

  it('the committed JSON Schemas are up to date', () => {
    for (const [file, text] of Object.entries(experimentJsonSchemas())) {
      expect(
        readFileSync(join(SCHEMA_DIR, `${file}.schema.json`), 'utf8'),
        `${file}.schema.json is stale: run pnpm --filter @meta-lora/pipelines schema`,
      ).toBe(text);
    }
    expect(EXPERIMENTS_DIR).toMatch(/pipelines\/experiments$/);
  });
});
