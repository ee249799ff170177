/**
 * `runTraining` trains the baselines beside meta-training, on worker threads of their own: the stage writes the same
 * files, byte for byte, as meta-training alone followed by the baselines alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { initBackend } from '@meta-lora/lora-core';
import { loadModelSource } from '@meta-lora/stage1-adapt';
import { numberExamples, writeEpisodeData, writeTinyModelDir } from '@meta-lora/test-fixtures';
import { tempDir } from '@meta-lora/vitest-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainBaselines } from './baselines.ts';
import type { BaselineMethod } from './baselines-artifact.ts';
import { parseMetaConfig } from './config.ts';
import { metaRunHash } from './run-identity.ts';
import { loadTrainingData, runTraining } from './run-training.ts';

await initBackend({ quiet: true });
const root = tempDir('meta-lora-run-training');
const modelDir = join(root, 'model');
const data = writeEpisodeData(join(root, 'data'), numberExamples(['double', 'succ', 'square'], 12, 9), {
  k: 4,
  episodes: { iterations: 4, tasksPerBatch: 2, supportSize: 2, querySize: 2 },
});

beforeAll(async () => {
  await writeTinyModelDir(modelDir, { seed: 3, tokenizer: 'shipped' });
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
