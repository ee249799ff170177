import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, type LlamaModel, loadModel } from '@meta-lora/lora-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from './export-model.ts';
import { learningRate, rampedLearningRate } from './lr-schedule.ts';
import { pretrain } from './pretrain.ts';
import type { TrainerState } from './pretrain-checkpoint.ts';
import { extendRun, parsePretrainConfig } from './pretrain-config.ts';
import { type PretrainLogLine, readPretrainLog } from './pretrain-log.ts';
import { PRETRAIN_STATE_FILE, pretrainStateFiles, readCommittedRun } from './pretrain-state.ts';
import { countingStream, tinyPretrainConfig } from './tiny-pretrain.ts';

const config = tinyPretrainConfig({ checkpointEvery: 20 });
const train = countingStream(3, 3000);
const streams = { train, heldOut: train.slice(0, 400) };
const tokens = { bosTokenId: 0, eosTokenId: 0, padTokenId: 1 };
const quiet = () => {};
const root = mkdtempSync(join(tmpdir(), 'pretrain-test-'));

const weightsOf = (model: LlamaModel) =>
  Object.fromEntries([...model.namedWeights()].map(([name, t]) => [name, [...(t.dataSync() as Float32Array)]]));

const trainerState = (runDir: string) =>
  JSON.parse(readFileSync(join(runDir, 'checkpoint', 'trainer_state.json'), 'utf8')) as TrainerState;
const trainLines = (log: readonly PretrainLogLine[]) => log.flatMap((l) => (l.type === 'train' ? [l] : []));

let reference: { log: ReturnType<typeof readPretrainLog>; weights: Record<string, number[]>; state: TrainerState };

beforeAll(async () => {
  await initBackend({ quiet: true });
  const runDir = join(root, 'reference');
  const { model } = await pretrain(config, streams, { runDir, tokens, log: quiet });
  reference = { log: readPretrainLog(runDir), weights: weightsOf(model), state: trainerState(runDir) };
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

  it('trains data-parallel on 2 worker threads with the losses of one thread, deterministically', async () => {
    const run = async (name: string) => {
      const runDir = join(root, name);
      const { model } = await pretrain(config, streams, {
        runDir,
        tokens,
        log: quiet,
        dataParallel: 2,
        stopAfterStep: 8,
      });
      model.dispose();
      return trainLines(readPretrainLog(runDir));
    };
    const parallel = await run('parallel');
    const single = trainLines(reference.log).slice(0, 8);
    expect(parallel.map((l) => l.loss)).toBeAllClose(
      single.map((l) => l.loss),
      { atol: 1e-5, rtol: 0 },
    );
    expect(parallel.map((l) => l.gradNorm)).toBeAllClose(
      single.map((l) => l.gradNorm),
      { atol: 1e-5, rtol: 1e-5 },
    );
    expect(await run('parallel-again')).toEqual(parallel);
  });
});

describe('pretrain from a committed model directory (initFrom)', () => {
  const modelDir = join(root, 'committed');
  const exportSitting = async (runDir: string, model: LlamaModel, state: TrainerState, out: string) => {
    const noTokenizer = join(root, 'no-tokenizer');
    mkdirSync(noTokenizer, { recursive: true });
    const extraFiles = pretrainStateFiles(model, config, state, readPretrainLog(runDir));
    await exportModel(model, out, { tokenizerDir: noTokenizer, tokens, extraFiles });
  };

  beforeAll(async () => {
    // Sitting 1 stops at step 51 and exports; its run directory is then gone, as on a fresh clone.
    const runDir = join(root, 'sitting-1');
    const first = await pretrain(config, streams, { runDir, tokens, log: quiet, stopAfterStep: 51 });
    await exportSitting(runDir, first.model, first.state, modelDir);
    first.model.dispose();
    rmSync(runDir, { recursive: true });
  });

  it('continues the step count, the schedule and the window stream of the uninterrupted run, to maxSteps', async () => {
    const runDir = join(root, 'sitting-2');
    const second = await pretrain(config, streams, {
      runDir,
      tokens,
      log: quiet,
      initFrom: modelDir,
      restartWarmup: 5,
    });
    expect([second.state.step, second.finished, second.state.sittings]).toEqual([100, true, 2]);
    expect(second.state.optimizerRestarts).toEqual([{ step: 51, warmupSteps: 5 }]);
    const log = readPretrainLog(runDir);
    expect(log.filter((l) => l.step <= 51)).toEqual(reference.log.filter((l) => l.step <= 51));
    const added = trainLines(log).filter((l) => l.step > 51);
    const uninterrupted = trainLines(reference.log).filter((l) => l.step > 51);
    expect(added.map((l) => [l.step, l.tokensSeen])).toEqual(uninterrupted.map((l) => [l.step, l.tokensSeen]));
    // Step 52's loss is taken before its update: it equals the uninterrupted run's only if the committed weights
    // loaded exactly and the sampler drew the same windows.
    expect(added[0]?.loss).toBe(uninterrupted[0]?.loss);
    // The sampler ends where the uninterrupted run's does, so every step drew the windows that run drew.
    expect(trainerState(runDir).rng).toEqual(reference.state.rng);
    // Fresh moments: the rate ramps from the schedule's / 5 back to the schedule over 5 steps.
    expect(added.map((l) => l.lr)).toEqual(
      added.map((l) => rampedLearningRate(l.step - 1, config.train, [{ step: 51, warmupSteps: 5 }])),
    );
    expect(added[0]?.lr).toBeCloseTo(learningRate(51, config.train) / 5, 15);
    expect(added.slice(5).map((l) => l.lr)).toEqual(uninterrupted.slice(5).map((l) => l.lr));
    // The warm restart costs little: the final held-out loss is within 0.05 of the uninterrupted run's.
    const finalHeldOut = (lines: readonly PretrainLogLine[]) => lines.findLast((l) => l.type === 'eval')?.step;
    const heldOutAt100 = (lines: readonly PretrainLogLine[]) =>
      lines.flatMap((l) => (l.type === 'eval' && l.step === 100 ? [l.heldOutLoss] : []))[0] as number;
    expect(finalHeldOut(log)).toBe(100);
    expect(Math.abs(heldOutAt100(log) - heldOutAt100(reference.log))).toBeLessThan(0.05);
    // The next export carries the whole run: every evaluation so far, and the restart.
    const out = join(root, 'committed-2');
    await exportSitting(runDir, second.model, second.state, out);
    const committed = readCommittedRun(out, config);
    expect(committed.state).toEqual(second.state);
    expect(committed.log).toEqual(log);
    const stateJson = JSON.parse(readFileSync(join(out, PRETRAIN_STATE_FILE), 'utf8'));
    expect(stateJson.heldOut.map((e: { step: number }) => e.step)).toEqual([25, 50, 75, 100]);
    const loaded = await loadModel(out);
    expect(weightsOf(loaded.model)).toEqual(weightsOf(second.model));
    loaded.model.dispose();
    second.model.dispose();
  });

  it('refuses a state written under another config, naming the file and the fix', async () => {
    const other = parsePretrainConfig({ ...config, train: { ...config.train, lr: 5e-3 } });
    const runDir = join(root, 'other-config');
    await expect(pretrain(other, streams, { runDir, tokens, log: quiet, initFrom: modelDir })).rejects.toThrow(
      /committed\/pretrain-state\.json was written by a run with config \w+, this run's config is \w+ \(they differ in train\.lr\)[\s\S]*fix: pass the config the run was started with/,
    );
  });

  it('refuses weights that are not the ones the state was written with, and a run directory with a checkpoint', async () => {
    const tampered = join(root, 'tampered');
    cpSync(modelDir, tampered, { recursive: true });
    const path = join(tampered, PRETRAIN_STATE_FILE);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"weightsDigest": "\w+"/, '"weightsDigest": "0"'));
    const fresh = join(root, 'fresh');
    await expect(pretrain(config, streams, { runDir: fresh, tokens, log: quiet, initFrom: tampered })).rejects.toThrow(
      /are not the ones .*pretrain-state\.json was written with \(step 51\)/,
    );
    await expect(
      pretrain(config, streams, { runDir: join(root, 'resumed'), tokens, log: quiet, initFrom: modelDir }),
    ).rejects.toThrow(/already holds a checkpoint/);
  });
});
