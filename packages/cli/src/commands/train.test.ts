/**
 * `meta-lora train` and `meta-lora adapt` end to end through `main`, on a tiny random model that carries the embedded
 * model's tokenizer (8192 tokens), with hand-written tasks/pool/episodes artifacts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-cli.ts';

await initBackend({ quiet: true });
const here = dirname(fileURLToPath(import.meta.url));
const tokenizerDir = join(here, '..', '..', '..', '..', 'models', 'meta-lora-base');
const root = mkdtempSync(join(tmpdir(), 'meta-lora-cli-train-'));
const modelDir = join(root, 'model');
const dataDir = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  const model = createTinyModel(1, { vocab_size: 8192, bos_token_id: 0, eos_token_id: 0, num_hidden_layers: 1 });
  const extraFiles: Record<string, Uint8Array> = {};
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) extraFiles[f] = readFileSync(join(tokenizerDir, f));
  await saveModel(model, modelDir, { extraFiles });
  model.dispose();
  const examples: Example[] = [];
  for (const [taskId, fn] of [
    ['double', (n: number) => String(2 * n)],
    ['succ', (n: number) => String(n + 1)],
  ] as const) {
    for (let n = 0; n < 10; n++) {
      examples.push({
        exampleId: `${taskId}-${n}`,
        taskId,
        family: taskId,
        language: 'en',
        split: n < 8 ? 'train' : 'dev',
        input: `Number: ${n}\nAnswer:`,
        target: ` ${fn(n)}`,
      });
    }
  }
  const lineage = { configHash: 'test', seed: 0, parents: [], createdBy: 'train.test' };
  writeArtifact(join(dataDir, 'tasks.arrow'), TasksArtifact, examples, lineage);
  const pool = buildPools(examples, { k: 4, seed: 0 });
  writeArtifact(join(dataDir, 'pool.arrow'), PoolArtifact, pool, lineage);
  const episodes = sampleEpisodes(pool, { iterations: 2, tasksPerBatch: 2, supportSize: 2, querySize: 2 }, 0);
  writeArtifact(join(dataDir, 'episodes.arrow'), EpisodesArtifact, episodes, lineage);
  writeFileSync(join(root, 'train.json'), JSON.stringify({ adapt: { innerSteps: 1 }, workers: 0, devQuerySize: 2 }));
});

const cli = runCli;

describe('meta-lora train / adapt', () => {
  it('meta-trains from the data artifacts, then adapts the shared adapter to a task', async () => {
    const runDir = join(root, 'run');
    const config = join(root, 'train.json');
    const train = await cli(['train', '--model', modelDir, '--data', dataDir, '--out', runDir, '--config', config]);
    expect(train.err).toBe('');
    expect(train.code).toBe(0);
    expect(train.out).toMatch(/meta-trained 2 iterations[\s\S]*best dev loss/);
    for (const f of [
      'config.json',
      'metrics.jsonl',
      'handoff.arrow',
      'diagnostics.arrow',
      'adapters/shared/adapter_model.safetensors',
    ]) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    const out = join(root, 'double-adapter');
    const shared = join(runDir, 'adapters', 'shared');
    const adapt = await cli([
      'adapt',
      '--model',
      modelDir,
      '--shared',
      shared,
      '--data',
      join(dataDir, 'tasks.arrow'),
      '--task',
      'double',
      '--k',
      '3',
      '--steps',
      '2',
      '--out',
      out,
    ]);
    expect(adapt.code).toBe(0);
    expect(adapt.out).toMatch(/adapted to double from 3 examples in 2 steps/);
    expect(existsSync(join(out, 'adapter_config.json'))).toBe(true);
  });

  const trainWith = (config: string, out: string) =>
    cli(['train', '--model', modelDir, '--data', dataDir, '--out', out, '--config', config]);

  it('names the config file and the line of a JSON syntax error, with exit code 2', async () => {
    const config = join(root, 'broken.json');
    writeFileSync(config, '{\n  "metaLr": 0.001,\n  "workers": 0,,\n}\n');
    const train = await trainWith(config, join(root, 'r3'));
    expect(train.code).toBe(2);
    expect(train.err).toMatch(/broken\.json:line 3: the config is not valid JSON \(column 16\)/);
  });

  it('refuses k larger than the task’s examples, and second-order maml, with exit code 2', async () => {
    const adapt = await cli([
      'adapt',
      '--model',
      modelDir,
      '--shared',
      root,
      '--data',
      join(dataDir, 'tasks.arrow'),
      '--task',
      'succ',
      '--k',
      '50',
      '--out',
      join(root, 'x'),
    ]);
    expect(adapt.code).toBe(2);
    expect(adapt.err).toMatch(/\[CONFIG_INVALID\]: k = 50 but task `succ` has only 8 train examples/);
    writeFileSync(join(root, 'maml.json'), '{"algorithm":"maml"}');
    const train = await trainWith(join(root, 'maml.json'), join(root, 'r2'));
    expect(train.code).toBe(2);
    expect(train.err).toMatch(/second-order `maml` is not supported/);
  });
});
