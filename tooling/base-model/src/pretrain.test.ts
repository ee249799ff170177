import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@meta-lora/artifacts';
import { initBackend, type LlamaModel } from '@meta-lora/lora-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { learningRate } from './lr-schedule.ts';
import { pretrain, readPretrainLog } from './pretrain.ts';
import { extendRun, parsePretrainConfig } from './pretrain-config.ts';

// A tiny model on a synthetic stream: counting runs mod 48 with random restarts, so the loss can fall.
const config = parsePretrainConfig({
  model: {
    hiddenSize: 16,
    intermediateSize: 32,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    vocabSize: 64,
    maxPositionEmbeddings: 64,
  },
  train: {
    seed: 7,
    maxSteps: 100,
    batchSize: 4,
    seqLen: 16,
    lr: 1e-2,
    minLr: 1e-3,
    warmupSteps: 10,
    evalEvery: 25,
    evalWindows: 4,
    checkpointEvery: 20,
    logEvery: 100,
  },
});
const rng = Rng.fromSeed(3);
let next = 2;
const train = Uint16Array.from({ length: 3000 }, () => {
  next = rng.next() < 0.1 ? 2 + rng.int(48) : 2 + ((next - 1) % 48);
  return next;
});
const streams = { train, heldOut: train.slice(0, 400) };
const tokens = { bosTokenId: 0, eosTokenId: 0, padTokenId: 1 };
const quiet = () => {};
const root = mkdtempSync(join(tmpdir(), 'pretrain-test-'));

const weightsOf = (model: LlamaModel) =>
  Object.fromEntries([...model.namedWeights()].map(([name, t]) => [name, [...(t.dataSync() as Float32Array)]]));

let reference: { log: ReturnType<typeof readPretrainLog>; weights: Record<string, number[]> };

beforeAll(async () => {
  await initBackend({ quiet: true });
  const runDir = join(root, 'reference');
  const { model } = await pretrain(config, streams, { runDir, tokens, log: quiet });
  reference = { log: readPretrainLog(runDir), weights: weightsOf(model) };
  model.dispose();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('pretrain', () => {
  it('learns: the loss of the last steps is below that of the first', () => {
    const losses = reference.log.flatMap((l) => (l.type === 'train' ? [l.loss] : []));
    expect(losses).toHaveLength(100);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-20))).toBeLessThan(mean(losses.slice(0, 20)) - 1);
  });

  it('reproduces every logged loss exactly when rerun with the same seed', async () => {
    const runDir = join(root, 'rerun');
    const { model } = await pretrain(config, streams, { runDir, tokens, log: quiet });
    model.dispose();
    expect(readPretrainLog(runDir)).toEqual(reference.log);
  });

  it('resumes from a checkpoint bit-identically (losses, evaluations and final weights)', async () => {
    const runDir = join(root, 'resumed');
    const first = await pretrain(config, streams, { runDir, tokens, log: quiet, stopAfterStep: 51 });
    expect(first.state.step).toBe(51);
    expect(first.finished).toBe(false);
    first.model.dispose();
    const second = await pretrain(config, streams, { runDir, tokens, log: quiet, resume: true });
    expect(second.finished).toBe(true);
    expect(second.state.sittings).toBe(2);
    expect(readPretrainLog(runDir)).toEqual(reference.log);
    expect(weightsOf(second.model)).toEqual(reference.weights);
    second.model.dispose();
  });

  it('refuses to resume with a different config, and to start over an existing run', async () => {
    const runDir = join(root, 'resumed');
    const other = parsePretrainConfig({ ...config, train: { ...config.train, lr: 5e-3 } });
    await expect(pretrain(other, streams, { runDir, tokens, log: quiet, resume: true })).rejects.toThrow(
      /was written with config/,
    );
    await expect(pretrain(config, streams, { runDir, tokens, log: quiet })).rejects.toThrow(
      /already holds a checkpoint/,
    );
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'))).toEqual(config);
  });

  it('extends a finished run with a warm restart: resumes its checkpoint and keeps every step already logged', async () => {
    const runDir = join(root, 'rerun');
    const extended = extendRun(config, 140, { lr: 5e-3, warmupSteps: 5 });
    const { model, state, finished } = await pretrain(extended, streams, { runDir, tokens, log: quiet, resume: true });
    model.dispose();
    expect([state.step, finished]).toEqual([140, true]);
    const log = readPretrainLog(runDir);
    expect(log.slice(0, reference.log.length)).toEqual(reference.log);
    const added = log.flatMap((l) => (l.type === 'train' && l.step > 100 ? [l] : []));
    expect(added.map((l) => l.lr)).toEqual(added.map((l) => learningRate(l.step - 1, extended.train)));
    expect(added[0]?.lr).toBeCloseTo(1e-3 + (5e-3 - 1e-3) / 5, 12);
  });
});
