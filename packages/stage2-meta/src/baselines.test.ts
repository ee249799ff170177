import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MetaLoraError, readArtifact } from '@meta-lora/artifacts';
import { createTinyModel, initBackend, loadPeftAdapter } from '@meta-lora/lora-core';
import { tempDir } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { BASELINE_RUNS_DIR } from './baseline-runs.ts';
import { type BaselineOptions, trainBaselines } from './baselines.ts';
import { BaselinesArtifact, BaselineTuningArtifact } from './baselines-artifact.ts';
import { type MetaConfigInput, parseMetaConfig } from './config.ts';
import { syntheticExample } from './test-tasks.ts';

await initBackend({ quiet: true });

const modelSource = { tiny: { seed: 13 } } as const;
const model = createTinyModel(13);
afterAll(() => model.dispose());

const full = [0, 1].map((t) => ({
  taskId: `t${t}`,
  examples: [3, 4, 5, 6, 7, 8, 9].map((x) => syntheticExample(t, x)),
}));
const pool = full.map((t) => ({ taskId: t.taskId, examples: t.examples.slice(0, 3) }));
const dev = [0, 1].map((t) => ({ name: `t${t}`, examples: [3, 5, 8].map((x) => syntheticExample(t, x)) }));
const lora = { r: 2, loraAlpha: 4, targetModules: 'all-linear' } as const;

function train(input: MetaConfigInput, extra: Partial<BaselineOptions> = {}) {
  const runDir = tempDir('baselines');
  const config = parseMetaConfig({ lora, ...input });
  const options = { model, modelSource, config, fullTrain: full, pool, runDir, configHash: 'test', ...extra };
  return { runDir, rows: trainBaselines(options) };
}

/** Every file under `dir`, by relative path. */
function files(dir: string): Map<string, Buffer> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(
    entries.map((e) => [relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name))]),
  );
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

describe('trainBaselines', () => {
  it('trains single-task, multi-task-full and multi-task-pool adapters that lower their loss and load as PEFT', async () => {
    const { runDir, rows: pending } = train({ workers: 0, baselines: { steps: 15, batchSize: 4, lr: 0.02 } });
    const rows = await pending;
    expect(rows.map((r) => `${r.method}:${r.taskId}`)).toEqual([
      'single-task:t0',
      'single-task:t1',
      'multi-task-full:*',
      'multi-task-pool:*',
    ]);
    for (const r of rows) expect(r.lossLast).toBeLessThan(r.lossFirst);
    expect(rows.map((r) => r.examples)).toEqual([7, 7, 14, 6]);
    expect(readArtifact(join(runDir, 'baselines.arrow'), BaselinesArtifact).rows).toEqual(rows);
    loadPeftAdapter(join(runDir, rows[3]!.adapterDir), model, 'pool').dispose();
  });

  it('writes byte-identical adapters and equal rows with two worker threads as in this thread', async () => {
    const baselines = { steps: 4, batchSize: 4, lr: 0.02 };
    const a = train({ workers: 0, baselines });
    const rowsA = await a.rows;
    const b = train({ workers: 2, baselines });
    const rowsB = await b.rows;
    expect(rowsB).toEqual(rowsA);
    expect(readArtifact(join(b.runDir, 'baselines.arrow'), BaselinesArtifact).rows).toEqual(rowsA);
    const filesA = files(join(a.runDir, 'adapters'));
    expect(filesA.size).toBe(8); // 4 adapters × (adapter_config.json, adapter_model.safetensors)
    expect(files(join(b.runDir, 'adapters'))).toEqual(filesA);
  });

  it('keeps the runs a failed stage had finished and, rerun, writes the bytes of an uninterrupted run', async () => {
    const input = { workers: 0, baselines: { steps: 4, batchSize: 4, lr: [0.01, 0.02] } };
    const whole = train(input, { dev });
    await whole.rows;
    const runDir = tempDir('baselines-resume');
    const config = parseMetaConfig({ lora, ...input });
    const options = { model, modelSource, config, fullTrain: full, pool, dev, runDir, configHash: 'test' };
    // the pool run comes last; an empty pool fails it after the single-task and multi-task-full runs have ended
    const failed = await rejection(trainBaselines({ ...options, pool: [{ taskId: 't0', examples: [] }] }));
    expect(failed).toBeInstanceOf(MetaLoraError);
    expect(readdirSync(join(runDir, BASELINE_RUNS_DIR))).toHaveLength(6); // 3 method/task groups × 2 learning rates
    await trainBaselines(options);
    expect(files(runDir)).toEqual(files(whole.runDir));
  });

  it('rethrows a failure in a worker as the MetaLoraError the in-thread run throws', async () => {
    const fullTrain = [...full, { taskId: 't2', examples: [] }];
    const baselines = { steps: 2, batchSize: 4, lr: 0.01 };
    const methods = ['single-task'] as const;
    const inThread = await rejection(train({ workers: 0, baselines }, { fullTrain, methods }).rows);
    const inWorkers = await rejection(train({ workers: 2, baselines }, { fullTrain, methods }).rows);
    expect(inThread).toBeInstanceOf(MetaLoraError);
    expect(inWorkers).toBeInstanceOf(MetaLoraError);
    expect((inWorkers as MetaLoraError).code).toBe('EMPTY_TASK');
    expect((inWorkers as MetaLoraError).code).toBe((inThread as MetaLoraError).code);
  });

  it('trains every learning rate of the grid and keeps the one with the lowest dev loss', async () => {
    const baselines = { steps: 12, batchSize: 4, lr: [1e-4, 0.05], evalEvery: 3, patience: 0 };
    const methods = ['multi-task-full', 'single-task'] as const;
    const { runDir, rows: pending } = train({ workers: 0, baselines }, { dev, methods });
    const rows = await pending;
    const tuning = readArtifact(join(runDir, 'baseline-tuning.arrow'), BaselineTuningArtifact).rows;
    expect(tuning).toHaveLength(2 * rows.length);
    for (const row of rows) {
      const runs = tuning.filter((t) => t.method === row.method && t.taskId === row.taskId);
      const best = runs.reduce((m, t) => (t.devLossBest! < m.devLossBest! ? t : m));
      expect(runs.filter((t) => t.selected)).toEqual([best]);
      expect(row.lr).toBe(best.lr);
      expect(row.devLossBest).toBe(best.devLossBest);
      expect(row.devLossBest!).toBeLessThanOrEqual(row.devLossInitial!);
    }
  });

  it('refuses a learning-rate grid without dev examples to choose with', async () => {
    const error = await rejection(train({ workers: 0, baselines: { steps: 2, lr: [1e-3, 1e-2] } }).rows);
    expect((error as MetaLoraError).code).toBe('CONFIG_INVALID');
    expect((error as MetaLoraError).details.field).toBe('baselines.lr');
  });

  it('budgets epochs over the data, at least minSteps, and reports what the run trained on', async () => {
    const baselines = { epochs: 2, minSteps: 1, batchSize: 2, lr: 0.01, patience: 0 };
    const { rows: pending } = train({ workers: 0, baselines }, { dev, methods: ['multi-task-full'] });
    const [row] = await pending;
    expect(row!.steps).toBe(14); // 2 epochs × 14 examples / batch 2
    expect(row!.examplesTrained).toBeLessThanOrEqual(Math.min(14, 2 * row!.bestStep));
    expect(row!.examples).toBe(14);
  });

  it('trains a run listed in lrFor at its fixed learning rate only, and the others over the grid', async () => {
    const baselines = { steps: 4, batchSize: 4, lr: [1e-4, 0.05], lrFor: { 'multi-task-full:*': 0.01 } };
    const methods = ['multi-task-full', 'multi-task-pool'] as const;
    const { runDir, rows: pending } = train({ workers: 0, baselines }, { dev, methods });
    const rows = await pending;
    const tuning = readArtifact(join(runDir, 'baseline-tuning.arrow'), BaselineTuningArtifact).rows;
    expect(tuning.map((t) => `${t.method}:${t.lr}`)).toEqual([
      'multi-task-full:0.01',
      'multi-task-pool:0.0001',
      'multi-task-pool:0.05',
    ]);
    expect(rows[0]!.lr).toBe(0.01);
  });
});
