import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { backendInfo, initBackend, loadModel } from '@meta-lora/lora-core';
import { tempDir, testExample } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import type { EvalCondition, EvalConditionInput } from './conditions.ts';
import { evaluateCell } from './eval-cell.ts';
import { cellOrder, type EvalCellJob, EvalRunner } from './eval-runner.ts';
import { evaluate } from './evaluate.ts';
import { FIXTURE_USAGE, fixtureExamples, writeFixtureRun } from './test-fixtures.ts';

await initBackend({ quiet: true });
const root = tempDir('meta-lora-eval-runner');

// A model directory with its own tokenizer.json: workers load model and tokenizer from it.
const fixture = await writeFixtureRun(root, { tokenizer: true });
const { modelDir, tasksPath } = fixture;
// Plus a second seed on the shared adapter: a condition that differs from another only in seed and method.
const extra: EvalConditionInput = {
  method: 'multi-task-lora-k-shot',
  seed: 1,
  k: 2,
  adapterDir: fixture.shared,
  ...FIXTURE_USAGE,
};
const conditions = [...fixture.conditions.slice(0, 3), extra, ...fixture.conditions.slice(3)];

const job = (taskId: string, inputs: string[], taskType: EvalCellJob['taskType'], demos = 0): EvalCellJob => ({
  condition: {
    method: 'base-in-context',
    seed: 0,
    k: demos,
    supportByTask: { [taskId]: Array.from({ length: demos }, () => ({ input: 'aaaa', target: ' b' })) },
  },
  taskId,
  taskType,
  examples: inputs.map((input, i) =>
    testExample({
      exampleId: `${taskId}-${i}`,
      taskId,
      split: 'test',
      input,
      target: ' yes',
      choices: [' yes', ' no'],
    }),
  ),
});

describe('cellOrder', () => {
  it('hands out the costliest cell first: more examples, demonstrations and generation cost more', () => {
    const jobs = [
      job('a', ['xx'], 'classification'),
      job('b', ['xx', 'xx', 'xx'], 'classification'),
      job('c', ['xx'], 'classification', 4),
      job('d', ['xx'], 'generation'),
      job('e', ['xx'], 'classification'),
    ];
    // costs: 2 × 2, 3 × 2 × 2, 2 × (4 demos' prefix + 2), 2 × 2 + 8 × 4 = 36, 2 × 2 (ties by position)
    expect(cellOrder(jobs)).toEqual([2, 3, 1, 0, 4]);
  });
});

describe('evaluate with worker threads', () => {
  it('gives rows, cells and examples deep-equal to the in-thread ones, with progress counted up to the total', async () => {
    const base = { modelDir, tasksPath, conditions, maxNewTokens: 4 };
    const inThread = await evaluate({ ...base, workers: 0 });
    const seen: number[] = [];
    const pooled = await evaluate({ ...base, workers: 2, onProgress: (done) => seen.push(done) });
    expect(pooled.rows).toHaveLength(conditions.length * 2);
    expect(pooled.rows).toEqual(inThread.rows);
    expect(pooled.cells).toEqual(inThread.cells);
    expect(pooled.examples).toEqual(inThread.examples);
    expect(pooled.lineage).toEqual(inThread.lineage);
    expect(seen).toEqual(Array.from({ length: conditions.length * 2 }, (_, i) => i + 1));
  });

  it('rethrows a failing cell as the MetaLoraError it is in this thread, and closes the pool', async () => {
    const missing = join(root, 'no-such-adapter');
    const condition: EvalCondition = {
      method: 'meta-lora-adapted',
      seed: 0,
      k: 2,
      adapterDirByTask: { plural: missing },
      ...FIXTURE_USAGE,
    };
    const examples = fixtureExamples().filter((e) => e.taskId === 'plural' && e.split === 'test');
    const { model, tokenizer } = await loadModel(modelDir);
    let local: unknown;
    try {
      evaluateCell(model, tokenizer!, condition, 'plural', examples, 'generation', null, {});
    } catch (error) {
      local = error;
    } finally {
      model.dispose();
    }
    expect(local).toBeInstanceOf(MetaLoraError);

    const runner = EvalRunner.start({ modelDir, scoring: {}, workers: 2 });
    const pooled = await runner
      .run([{ condition, taskId: 'plural', examples, taskType: 'generation' }])
      .then(
        () => undefined,
        (e: unknown) => e,
      )
      .finally(() => runner.close());
    expect(pooled).toBeInstanceOf(MetaLoraError);
    expect((pooled as MetaLoraError).code).toBe((local as MetaLoraError).code);
    expect((pooled as MetaLoraError).message).toBe((local as MetaLoraError).message);
    expect(runner.workers).toBe(0);
  });

  // Other backends have no wasm heap to watch.
  it.skipIf(backendInfo()?.name !== 'wasm')(
    'replaces a worker whose wasm heap reached the limit after a cell, and the rows stay the same',
    async () => {
      const jobs = [job('a', ['xx', 'yyy'], 'classification', 2), job('b', ['zz'], 'generation')];
      const { model, tokenizer } = await loadModel(modelDir);
      const scoring = { maxNewTokens: 4 };
      const local = jobs.map((j) =>
        evaluateCell(model, tokenizer!, j.condition, j.taskId, j.examples, j.taskType, null, scoring),
      );
      model.dispose();
      // Every heap is at least 1 byte: each cell retires its worker, replaced before the next cell.
      const runner = EvalRunner.start({ modelDir, scoring, workers: 1, retireHeapBytes: 1 });
      try {
        expect(await runner.run(jobs)).toEqual(local);
        expect(runner.retirements).toBe(jobs.length - 1);
      } finally {
        await runner.close();
      }
    },
  );
});
