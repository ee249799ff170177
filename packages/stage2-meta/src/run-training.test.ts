/**
 * `runTraining` trains the baselines beside meta-training, on worker threads of their own: the stage writes the same
 * files, byte for byte, as meta-training alone followed by the baselines alone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { writeArtifact } from '@meta-lora/artifacts';
import {
  buildPools,
  EpisodesArtifact,
  type Example,
  PoolArtifact,
  sampleEpisodes,
  TasksArtifact,
} from '@meta-lora/data-sampling';
import { createTinyModel, initBackend, saveModel } from '@meta-lora/lora-core';
import { loadModelSource } from '@meta-lora/stage1-adapt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainBaselines } from './baselines.ts';
import type { BaselineMethod } from './baselines-artifact.ts';
import { parseMetaConfig } from './config.ts';
import { metaRunHash } from './run-identity.ts';
import { loadTrainingData, runTraining } from './run-training.ts';

await initBackend({ quiet: true });
const tokenizerDir = join(import.meta.dirname, '..', '..', '..', 'models', 'meta-lora-base');
const root = mkdtempSync(join(tmpdir(), 'meta-lora-run-training-'));
const modelDir = join(root, 'model');
const dataDir = join(root, 'data');
const data = {
  tasks: join(dataDir, 'tasks.arrow'),
  pool: join(dataDir, 'pool.arrow'),
  episodes: join(dataDir, 'episodes.arrow'),
};
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  const model = createTinyModel(3, { vocab_size: 8192, bos_token_id: 0, eos_token_id: 0 });
  const extraFiles: Record<string, Uint8Array> = {};
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) extraFiles[f] = readFileSync(join(tokenizerDir, f));
  await saveModel(model, modelDir, { extraFiles });
  model.dispose();
  const examples: Example[] = [];
  for (const [taskId, answer] of [
    ['double', (n: number) => 2 * n],
    ['succ', (n: number) => n + 1],
    ['square', (n: number) => n * n],
  ] as const) {
    for (let n = 0; n < 12; n++) {
      const split = n < 9 ? 'train' : 'dev';
      const input = `Number: ${n}\nAnswer:`;
      examples.push({
        exampleId: `${taskId}-${n}`,
        taskId,
        family: taskId,
        language: 'en',
        split,
        input,
        target: ` ${answer(n)}`,
      });
    }
  }
  const lineage = { configHash: 'test', seed: 0, parents: [], createdBy: 'run-training.test' };
  writeArtifact(data.tasks, TasksArtifact, examples, lineage);
  const pool = buildPools(examples, { k: 4, seed: 0 });
  writeArtifact(data.pool, PoolArtifact, pool, lineage);
  const episodes = sampleEpisodes(pool, { iterations: 4, tasksPerBatch: 2, supportSize: 2, querySize: 2 }, 0);
  writeArtifact(data.episodes, EpisodesArtifact, episodes, lineage);
});

const config = parseMetaConfig({
  lora: { r: 4, loraAlpha: 8 },
  adapt: { innerSteps: 1, innerBatchSize: 2 },
  workers: 2,
  devQuerySize: 2,
  evalEvery: 2,
  baselines: { steps: 6, batchSize: 4, lr: 0.003, evalEvery: 2 },
});
const methods: BaselineMethod[] = ['single-task', 'multi-task-full', 'multi-task-pool'];

/** Every file under `dir`, by relative path. */
function files(dir: string): Map<string, string> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(
    entries.map((e) => [relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'hex')]),
  );
}

describe('runTraining with baselines', () => {
  it('writes the bytes of meta-training alone, then the baselines alone', { timeout: 600_000 }, async () => {
    const together = join(root, 'together');
    await runTraining({ modelDir, data, config, runDir: together, baselines: methods });

    const apart = join(root, 'apart');
    await runTraining({ modelDir, data, config, runDir: apart });
    const { model, tokenizer, fingerprint } = await loadModelSource({ dir: modelDir });
    try {
      const d = loadTrainingData(data, tokenizer!, config.devQuerySize);
      await trainBaselines({
        model,
        modelSource: { dir: modelDir },
        config,
        fullTrain: d.fullTrain,
        pool: d.pool,
        dev: d.devTasks.map((t) => ({ name: t.taskId, examples: t.query })),
        runDir: apart,
        methods,
        configHash: metaRunHash(config, fingerprint, d.episodes, d.devTasks),
        parents: d.parents,
        baseModelNameOrPath: modelDir,
        fingerprint,
      });
    } finally {
      model.dispose();
    }
    const a = files(together);
    expect(a.has('baselines.arrow') && a.has('meta-tuning.arrow')).toBe(true);
    expect(a).toEqual(files(apart));
  });
});
