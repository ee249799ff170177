/**
 * `meta-lora train` and `meta-lora adapt` end to end through `main`, on a tiny random model that carries the shipped
 * model's tokenizer (8192 tokens), with the tasks/pool/episodes artifacts of two number tasks.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@meta-lora/lora-core';
import { numberExamples, writeEpisodeData, writeTinyModelDir } from '@meta-lora/test-fixtures';
import { tempDir } from '@meta-lora/vitest-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { flags, runCli } from '../test-cli.ts';

await initBackend({ quiet: true });
const root = tempDir('meta-lora-cli-train');
const modelDir = join(root, 'model');
const dataDir = join(root, 'data');

beforeAll(async () => {
  await writeTinyModelDir(modelDir, { seed: 1, tokenizer: 'shipped', config: { num_hidden_layers: 1 } });
  const episodes = { iterations: 2, tasksPerBatch: 2, supportSize: 2, querySize: 2 };
  writeEpisodeData(dataDir, numberExamples(['double', 'succ'], 10, 8), { k: 4, episodes });
  writeFileSync(join(root, 'train.json'), JSON.stringify({ adapt: { innerSteps: 1 }, workers: 0, devQuerySize: 2 }));
});

const cli = runCli;

describe('meta-lora train / adapt', () => {
  /** `meta-lora adapt` of the fixture model to a task of the tasks artifact, with `more` flags. */
  const adaptTo = (more: Record<string, string>) =>
    cli(['adapt', ...flags({ model: modelDir, data: join(dataDir, 'tasks.arrow'), ...more })]);

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
    const adapt = await adaptTo({ shared, task: 'double', k: '3', steps: '2', out });
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
    const adapt = await adaptTo({ shared: root, task: 'succ', k: '50', out: join(root, 'x') });
    expect(adapt.code).toBe(2);
    expect(adapt.err).toMatch(/\[CONFIG_INVALID\]: k = 50 but task `succ` has only 8 train examples/);
    writeFileSync(join(root, 'maml.json'), '{"algorithm":"maml"}');
    const train = await trainWith(join(root, 'maml.json'), join(root, 'r2'));
    expect(train.code).toBe(2);
    expect(train.err).toMatch(/second-order `maml` is not supported/);
  });
});
