import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineArtifactKind, MetaLoraError, readArtifact, writeArtifact } from '@meta-lora/artifacts';
import { ExampleSchema, TasksArtifact } from '@meta-lora/data-sampling';
import { initBackend, loadModel, tf } from '@meta-lora/lora-core';
import { expectCode, rejectionOf, tempDir } from '@meta-lora/vitest-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL_CELLS_FILE, EvalCellsArtifact } from './cells-artifact.ts';
import { chrfFromStatistics } from './chrf.ts';
import type { EvalConditionInput } from './conditions.ts';
import { evaluate } from './evaluate.ts';
import { EVAL_EXAMPLES_FILE, EvalExamplesArtifact } from './examples-artifact.ts';
import { EvalResultsArtifact } from './results-artifact.ts';
import { charCodec } from './test-codec.ts';
import { fixtureExamples, writeAdapter, writeFixtureRun, writeTinyModelDir } from './test-fixtures.ts';

await initBackend({ quiet: true });
const root = tempDir('meta-lora-eval');

const { modelDir, tasksPath, conditions } = await writeFixtureRun(root);
const otherModelDir = writeTinyModelDir(join(root, 'other-model'), 2);
let foreignAdapter = '';
let bareAdapter = '';

beforeAll(async () => {
  const { model } = await loadModel(modelDir);
  const other = await loadModel(otherModelDir);
  foreignAdapter = await writeAdapter(join(root, 'foreign'), other.model, 4, other.fingerprint);
  bareAdapter = await writeAdapter(join(root, 'bare'), model, 5, null);
  model.dispose();
  other.model.dispose();
});

const run = (extra: Partial<Parameters<typeof evaluate>[0]> = {}) =>
  evaluate({ modelDir, tasksPath, conditions, tokenizer: charCodec, maxNewTokens: 4, ...extra });

async function expectError(promise: Promise<unknown>, code: string, text: RegExp): Promise<MetaLoraError> {
  const error = await rejectionOf(promise, MetaLoraError);
  expectCode(error, code, text);
  return error;
}

describe('evaluate', () => {
  it('writes one row per condition × task with the metrics of each task type and the data used', async () => {
    const out = join(root, 'results.arrow');
    const { rows } = await run({ outPath: out });
    expect(rows.map((r) => `${r.method}/${r.taskId}`)).toEqual([
      'base-zero-shot/plural',
      'base-zero-shot/polarity',
      'base-in-context/plural',
      'base-in-context/polarity',
      'meta-lora-shared/plural',
      'meta-lora-shared/polarity',
      'meta-lora-adapted/plural',
      'meta-lora-adapted/polarity',
    ]);
    const polarity = rows.find((r) => r.taskId === 'polarity')!;
    expect(polarity.taskType).toBe('classification');
    expect(polarity.accuracy).toBeDefined();
    expect(polarity.exactMatch).toBeUndefined();
    const plural = rows.find((r) => r.taskId === 'plural')!;
    expect(plural.primaryMetric).toBe('exactMatch');
    expect(plural.chrF).toBeDefined();
    expect(rows.every((r) => r.numTestExamples === 4 && r.targetLoss > 0)).toBe(true);
    // Zero-shot used nothing; in-context used its 2 demonstrations (counted by the tokenizer); trained methods as given.
    expect(rows[0]!.examplesUsed).toBe(0);
    expect(rows[2]!.examplesUsed).toBe(2);
    expect(rows[2]!.tokensUsed).toBe('plural of cow is cows'.length + 'plural of bee is bees'.length);
    expect(rows[4]!.tokensUsed).toBe(30);
    expect(rows[2]!.k).toBe(2);
    expect(rows[0]!.k).toBeUndefined();
    // The adapters change the model: the shared and the per-task adapter give different losses than the base model.
    expect(rows[4]!.targetLoss).not.toBeCloseTo(rows[0]!.targetLoss, 5);
    expect(rows[6]!.targetLoss).not.toBeCloseTo(rows[4]!.targetLoss, 5);
    const back = readArtifact(out, EvalResultsArtifact);
    expect(back.rows).toEqual(rows);
    expect(back.lineage.parents).toEqual([readArtifact(tasksPath, TasksArtifact).lineage.artifactId]);
  });

  it('writes eval-cells and eval-examples beside the results, naming the results as parent', async () => {
    const dir = join(root, 'companions');
    const { cells, examples, lineage } = await run({ outPath: join(dir, 'eval-results.arrow') });
    const cellsBack = readArtifact(join(dir, EVAL_CELLS_FILE), EvalCellsArtifact);
    const examplesBack = readArtifact(join(dir, EVAL_EXAMPLES_FILE), EvalExamplesArtifact);
    expect(cellsBack.rows).toEqual(cells);
    expect(examplesBack.rows).toEqual(examples);
    expect(cellsBack.lineage.parents[0]).toBe(lineage.artifactId);
    expect(examplesBack.lineage.parents[0]).toBe(lineage.artifactId);
  });

  it('keeps per-example results that reproduce each row: score, chrF and target loss', async () => {
    const { rows, examples } = await run();
    for (const r of rows) {
      const mine = examples.filter((e) => e.method === r.method && e.taskId === r.taskId && e.k === r.k);
      expect(mine.map((e) => e.exampleIndex)).toEqual([0, 1, 2, 3]);
      expect(mine.reduce((s, e) => s + e.score!, 0) / mine.length).toBeCloseTo(r.score, 10);
      const nll = mine.reduce((s, e) => s + e.targetNll, 0);
      expect(nll / mine.reduce((s, e) => s + e.targetTokens, 0)).toBeCloseTo(r.targetLoss, 10);
      if (r.chrF !== undefined) {
        const total = mine.map((e) => e.chrfStatistics!).reduce((a, b) => a.map((v, j) => v + b[j]!));
        expect(chrfFromStatistics(total)).toBe(r.chrF);
      }
    }
  });

  it('records the majority-class rate of classification cells and the data each condition trained on', async () => {
    const total = { examplesTrained: { '*': 3 }, tokensTrained: { '*': 50 } };
    const { cells } = await run({
      conditions: [conditions[0]!, { ...conditions[2]!, ...total } as EvalConditionInput],
    });
    // Test labels of polarity: yes, no, yes, no.
    expect(cells.find((c) => c.taskId === 'polarity')!.majorityClassRate).toBe(50);
    expect(cells.find((c) => c.taskId === 'plural')!.majorityClassRate).toBeUndefined();
    expect(cells[0]).toMatchObject({ method: 'base-zero-shot', examplesTrained: 0, trainedScope: 'task' });
    expect(cells[3]).toMatchObject({ method: 'meta-lora-shared', examplesTrained: 3, trainedScope: 'all-tasks' });
  });

  it('is deterministic: equal inputs give byte-identical artifacts', async () => {
    const a = join(root, 'a.arrow');
    const b = join(root, 'b.arrow');
    await run({ outPath: a, conditions: conditions.slice(0, 1) });
    await run({ outPath: b, conditions: conditions.slice(0, 1) });
    expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
  });

  it('refuses an adapter trained on another base model before writing anything', async () => {
    const out = join(root, 'never.arrow');
    await expectError(
      run({
        outPath: out,
        conditions: [...conditions, { ...conditions[2]!, adapterDir: foreignAdapter } as EvalConditionInput],
      }),
      'CHECKPOINT_INVALID',
      /trained on another base model/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an adapter without a fingerprint unless allowed', async () => {
    const bare = [{ ...conditions[2]!, adapterDir: bareAdapter } as EvalConditionInput];
    await expectError(run({ conditions: bare }), 'CHECKPOINT_INVALID', /no meta_lora.base_model_fingerprint/);
    const { rows } = await run({ conditions: bare, allowAdaptersWithoutFingerprint: true, taskIds: ['plural'] });
    expect(rows).toHaveLength(1);
  });

  it('frees the model and adapters, also when it fails', async () => {
    await run({ conditions: conditions.slice(2), taskIds: ['plural'] }); // warm-up: kernels and caches
    const before = tf.memory().numTensors;
    await run({ conditions: conditions.slice(2), taskIds: ['plural'] });
    expect(tf.memory().numTensors).toBe(before);
    // Fails after the model is loaded: the adapter check runs on the loaded model's fingerprint.
    const foreign = { ...conditions[2]!, adapterDir: foreignAdapter } as EvalConditionInput;
    await expectError(run({ conditions: [foreign] }), 'CHECKPOINT_INVALID', /another base model/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a task absent from the test split', async () => {
    await expectError(
      run({ taskIds: ['plural', 'sentiment'] }),
      'DATA_INVALID',
      /"sentiment" is absent from the test split/,
    );
  });

  it('refuses a tasks artifact with another schema version', async () => {
    const v2 = defineArtifactKind({
      kind: 'tasks',
      schemaVersion: 2,
      row: ExampleSchema,
      fields: TasksArtifact.fields,
    });
    const path = join(root, 'tasks-v2.arrow');
    writeArtifact(path, v2, fixtureExamples(), { configHash: 'x', seed: 0, parents: [], createdBy: 'test' });
    await expectError(run({ tasksPath: path }), 'SCHEMA_VERSION_MISMATCH', /schema version 2/);
  });

  it('refuses a per-task method without an adapter for every task', async () => {
    const partial = {
      ...conditions[3]!,
      adapterDirByTask: { plural: join(root, 'task-plural') },
    } as EvalConditionInput;
    await expectError(run({ conditions: [partial] }), 'CONFIG_INVALID', /no entry for task "polarity"/);
  });
});
