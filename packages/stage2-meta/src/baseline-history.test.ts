/**
 * A baseline run's bytes depend on its job (data, learning rate, generator states) only: not on what its worker
 * thread trained before (the WebAssembly heap then lays tensors out elsewhere), not on a job running beside it on the
 * other worker, not on whether it ran in a worker at all. The model has the shipped base model's widths (hidden 256,
 * MLP 704, 8 query and 4 KV heads), so the products go through the same BLAS blocking as real runs.
 */
import { Rng } from '@meta-lora/artifacts';
import { createTinyModel, type IdExample, initBackend } from '@meta-lora/lora-core';
import { adapterValues } from '@meta-lora/stage1-adapt';
import { afterAll, describe, expect, it } from 'vitest';
import { type BaselineJob, type BaselineJobResult, trainBaselineJob, trainInWorkers } from './baseline-pool.ts';
import { parseMetaConfig } from './config.ts';

await initBackend({ quiet: true });

const overrides = {
  hidden_size: 256,
  intermediate_size: 704,
  num_hidden_layers: 1,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  vocab_size: 64,
  max_position_embeddings: 128,
};
const modelSource = { tiny: { seed: 5, overrides } } as const;
const model = createTinyModel(5, overrides);
afterAll(() => model.dispose());

/** `n` examples of `promptLength` random prompt tokens and a 3-token target. */
function examples(seed: number, n: number, promptLength: number): IdExample[] {
  const rng = Rng.fromSeed(seed);
  const token = () => 3 + Math.floor(rng.next() * 60);
  return Array.from({ length: n }, () => ({
    prefixIds: [1],
    promptIds: Array.from({ length: promptLength }, token),
    targetIds: [token(), token(), 2],
  }));
}

const config = parseMetaConfig({
  lora: { r: 8, loraAlpha: 16, targetModules: 'all-linear' },
  baselines: { steps: 6, evalEvery: 2, batchSize: 4, lr: 0.003 },
});
const root = Rng.fromSeed(0);
/** The run under test, and a longer one (so that it goes first) on other data at another learning rate. */
const job = (name: string, seed: number, promptLength: number, lr: number): BaselineJob => ({
  name,
  tasks: [{ taskId: name, examples: examples(seed, 12, promptLength) }],
  dev: [{ name, examples: examples(seed + 100, 6, promptLength) }],
  lr,
  rngState: root.fork(`baseline:single-task:${name}`).state(),
  initState: root.fork('shared-init').state(),
});
const subject = job('subject', 1, 9, 0.003);
const before = job('before', 2, 40, 0.001);

const run = (jobs: readonly BaselineJob[], workers: number) =>
  trainInWorkers(jobs, { modelSource, lora: config.lora, baselines: config.baselines, workers });

/** Everything a run's rows and adapter files are made of, as bytes. */
function bytes(result: Omit<BaselineJobResult, 'values'> & { values: Iterable<[string, Float32Array]> }): string {
  const values = [...result.values].map(
    ([name, v]) => `${name}:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`,
  );
  return JSON.stringify({ losses: result.losses, devCurve: result.devCurve, bestStep: result.bestStep, values });
}

describe('a baseline run in a worker', () => {
  it('gives the same bytes alone, after another job in its worker, beside one on another worker, and in this thread', async () => {
    const [alone] = await run([subject], 1);
    const [first, after] = await run([before, subject], 1);
    const [, beside] = await run([before, subject], 2);
    const { adapter, ...inThread } = trainBaselineJob(model, subject, config);
    const here = { ...inThread, values: adapterValues(adapter) };
    adapter.dispose();
    expect(first!.losses.length).toBe(6); // the other job really trained first, in the same worker
    expect(bytes(after!)).toBe(bytes(alone!));
    expect(bytes(beside!)).toBe(bytes(alone!));
    expect(bytes(here)).toBe(bytes(alone!));
  }, 300_000);
});
