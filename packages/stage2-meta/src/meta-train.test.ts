import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, readArtifact } from '@meta-lora/artifacts';
import {
  causalLmLoss,
  createLoraAdapter,
  createTinyModel,
  idExampleBatch,
  initBackend,
  loadPeftAdapter,
  tf,
  valueAndGradients,
} from '@meta-lora/lora-core';
import { TaskUpdatesArtifact } from '@meta-lora/stage1-adapt';
import { tempDir } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { type MetaConfigInput, parseMetaConfig } from './config.ts';
import { DiagnosticsArtifact } from './diagnostics.ts';
import { type MetaTrainOptions, metaTrain } from './meta-train.ts';
import { syntheticEpisodes } from './test-tasks.ts';

await initBackend({ quiet: true });

const source = { tiny: { seed: 9 } } as const;
const model = createTinyModel(9);
afterAll(() => model.dispose());
const lora = { r: 2, loraAlpha: 4, targetModules: 'all-linear', initLoraWeights: false } as const;
const tmp = () => tempDir('meta-train');

function train(
  input: MetaConfigInput,
  episodes = syntheticEpisodes(1, { numTasks: 3, tasksPerBatch: 2, support: 3, query: 3, seed: 1 }),
  runDir = tmp(),
  more: Pick<MetaTrainOptions, 'devTasks' | 'onIteration' | 'resume'> = {},
) {
  const config = parseMetaConfig({ lora, workers: 0, ...input });
  return metaTrain({
    model,
    modelSource: source,
    fingerprint: 'tiny',
    config,
    episodes,
    runDir,
    progress: false,
    ...more,
  });
}

/** The adapter metaTrain starts from. */
function initialShared(seed: number) {
  return createLoraAdapter(model, parseMetaConfig({ lora }).lora, Rng.fromSeed(seed).fork('shared-init'), 'ref');
}

describe('metaTrain', () => {
  it('with innerSteps 0, a fomaml step is a plain multi-task gradient step', async () => {
    const episodes = syntheticEpisodes(1, { numTasks: 3, tasksPerBatch: 2, support: 3, query: 3, seed: 1 });
    const { shared } = await train(
      { adapt: { innerSteps: 0 }, metaOptimizer: 'sgd', metaLr: 0.5, metaClipGradNorm: null },
      episodes,
    );
    const ref = initialShared(0);
    const perTask = episodes[0]!.tasks.map((t) => {
      const batch = idExampleBatch(t.query, { maxSeqLen: 256, padTokenId: 0 });
      return valueAndGradients(() => causalLmLoss(model, batch, { adapters: [ref] }), ref.variables()).grads;
    });
    ref.variables().forEach((v, i) => {
      const expected = tf.tidy(() => tf.sub(v, tf.mul(tf.add(perTask[0]![i]!, perTask[1]![i]!), 0.5 / 2)));
      expect(shared.variables()[i]!).toBeAllClose(expected, { atol: 1e-6, rtol: 1e-5 });
      expected.dispose();
    });
    for (const g of perTask.flat()) g.dispose();
    ref.dispose();
    shared.dispose();
  });

  it('reptile with one task and one inner step matches θ − β·α·∇L_support(θ)', async () => {
    const episodes = syntheticEpisodes(1, { numTasks: 3, tasksPerBatch: 1, support: 3, query: 2, seed: 2 });
    const alpha = 0.1;
    const beta = 0.3;
    const { shared } = await train(
      {
        algorithm: 'reptile',
        adapt: { innerSteps: 1, innerLr: alpha, clipGradNorm: null },
        metaOptimizer: 'sgd',
        metaLr: beta,
        metaClipGradNorm: null,
      },
      episodes,
    );
    const ref = initialShared(0);
    const batch = idExampleBatch(episodes[0]!.tasks[0]!.support, { maxSeqLen: 256, padTokenId: 0 });
    const { grads } = valueAndGradients(() => causalLmLoss(model, batch, { adapters: [ref] }), ref.variables());
    ref.variables().forEach((v, i) => {
      const expected = tf.tidy(() => tf.sub(v, tf.mul(grads[i]!, alpha * beta)));
      expect(shared.variables()[i]!).toBeAllClose(expected, { atol: 1e-6, rtol: 1e-5 });
      expected.dispose();
    });
    for (const g of grads) g.dispose();
    ref.dispose();
    shared.dispose();
  });

  it('lowers the mean query loss on a small synthetic multi-task problem', async () => {
    const episodes = syntheticEpisodes(20, { numTasks: 4, tasksPerBatch: 2, support: 3, query: 3, seed: 3 });
    const { shared, metrics } = await train(
      { adapt: { innerSteps: 2, innerLr: 0.05 }, metaLr: 0.03, lora: { ...lora, initLoraWeights: true } },
      episodes,
    );
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const first = mean(metrics.slice(0, 4).map((m) => m.queryLossAfter));
    const last = mean(metrics.slice(-4).map((m) => m.queryLossAfter));
    expect(last).toBeLessThan(first * 0.8);
    shared.dispose();
  });

  it('gives bit-identical adapters with two worker threads and in this thread', async () => {
    const episodes = syntheticEpisodes(3, { numTasks: 4, tasksPerBatch: 3, support: 3, query: 3, seed: 4 });
    const a = tmp();
    const b = tmp();
    const input = { adapt: { innerSteps: 2 }, metaLr: 0.01 };
    (await train({ ...input, workers: 0 }, episodes, a)).shared.dispose();
    (await train({ ...input, workers: 2 }, episodes, b)).shared.dispose();
    const bytes = (dir: string) => readFileSync(join(dir, 'adapters', 'shared', 'adapter_model.safetensors'));
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(readFileSync(join(a, 'metrics.jsonl'), 'utf8')).toBe(readFileSync(join(b, 'metrics.jsonl'), 'utf8'));
  });

  it('overlaps iterations on workers without changing checkpoints, dev losses or metrics', async () => {
    // Iterations 0 and 4 start the next one early; 1 and 3 evaluate, 2 writes a checkpoint, 5 is the last.
    const episodes = syntheticEpisodes(6, { numTasks: 4, tasksPerBatch: 3, support: 3, query: 3, seed: 5 });
    const devTasks = syntheticEpisodes(1, { numTasks: 2, tasksPerBatch: 2, support: 3, query: 3, seed: 6 })[0]!.tasks;
    const run = async (workers: number) => {
      const runDir = tmp();
      const input = { workers, adapt: { innerSteps: 2 }, checkpointEvery: 3, evalEvery: 2 };
      (await train(input, episodes, runDir, { devTasks })).shared.dispose();
      const read = (path: string) => readFileSync(join(runDir, path));
      return {
        metrics: read('metrics.jsonl').toString(),
        state: read('checkpoints/iter-000003/state.json').toString(),
        optimizer: read('checkpoints/iter-000003/optimizer.safetensors'),
        best: read('adapters/best/adapter_model.safetensors'),
      };
    };
    const inThread = await run(0);
    const onWorkers = await run(2);
    expect(onWorkers.metrics).toBe(inThread.metrics);
    expect(onWorkers.state).toBe(inThread.state);
    expect(onWorkers.optimizer.equals(inThread.optimizer)).toBe(true);
    expect(onWorkers.best.equals(inThread.best)).toBe(true);
  });

  it('rethrows a failure raised while the next iteration is already on the workers', async () => {
    const episodes = syntheticEpisodes(3, { numTasks: 4, tasksPerBatch: 3, support: 3, query: 3, seed: 5 });
    const failing = train({ workers: 2 }, episodes, tmp(), {
      onIteration: () => {
        throw new Error('callback failed');
      },
    });
    await expect(failing).rejects.toThrow('callback failed');
  });

  it('leaks no tensors across iterations', async () => {
    const counts: number[] = [];
    const episodes = syntheticEpisodes(5, { numTasks: 3, tasksPerBatch: 2, support: 3, query: 3, seed: 6 });
    const before = tf.memory().numTensors;
    const { shared } = await train({ adapt: { innerOptimizer: 'adam' }, checkpointEvery: 2 }, episodes, tmp(), {
      devTasks: episodes[0]!.tasks,
      onIteration: () => counts.push(tf.memory().numTensors),
    });
    expect(new Set(counts).size).toBe(1);
    shared.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resumed after it stopped early, trains nothing more and rewrites the same adapter', async () => {
    const episodes = syntheticEpisodes(12, { numTasks: 3, tasksPerBatch: 2, support: 3, query: 3, seed: 8 });
    const devTasks = syntheticEpisodes(1, { numTasks: 3, tasksPerBatch: 3, support: 3, query: 4, seed: 9 })[0]!.tasks;
    const config = { metaLr: 2, evalEvery: 1, earlyStoppingPatience: 2 };
    const runDir = tmp();
    const weights = join(runDir, 'adapters', 'shared', 'adapter_model.safetensors');
    const first = await train(config, episodes, runDir, { devTasks });
    first.shared.dispose();
    expect(first.stoppedEarly).toBe(true);
    const bytes = readFileSync(weights);
    const again = await train(config, episodes, runDir, { devTasks, resume: true });
    again.shared.dispose();
    expect(again.iterationsRun).toBe(0);
    expect(again.nextIteration).toBe(first.nextIteration);
    expect(readFileSync(weights).equals(bytes)).toBe(true);
  });

  it('stopped after its final checkpoint, resumes to the same outputs, handoff.arrow included', async () => {
    const episodes = syntheticEpisodes(3, { numTasks: 3, tasksPerBatch: 2, support: 3, query: 3, seed: 4 });
    const reference = tmp();
    (await train({ checkpointEvery: 1 }, episodes, reference)).shared.dispose();
    const runDir = tmp();
    // A file named `adapters` makes the outputs fail after the final checkpoint, where a kill would stop them.
    const stopped = await train({ checkpointEvery: 1 }, episodes, runDir, {
      onIteration: (m) => {
        if (m.iteration === 2) writeFileSync(join(runDir, 'adapters'), '');
      },
    }).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(Error);
    rmSync(join(runDir, 'adapters'));
    const again = await train({ checkpointEvery: 1 }, episodes, runDir, { resume: true });
    again.shared.dispose();
    expect(again.iterationsRun).toBe(0);
    const outputs = ['handoff.arrow', 'diagnostics.arrow', join('adapters', 'shared', 'adapter_model.safetensors')];
    for (const file of outputs) {
      expect(readFileSync(join(runDir, file)).equals(readFileSync(join(reference, file))), file).toBe(true);
    }
  });

  it('keeps the adapter with the lowest dev loss and stops early when dev loss stops improving', async () => {
    const episodes = syntheticEpisodes(12, { numTasks: 3, tasksPerBatch: 2, support: 3, query: 3, seed: 8 });
    const runDir = tmp();
    // metaLr 2 overshoots after the second evaluation, by margins no kernel's rounding changes (dev 2.59, 2.65, 2.82
    // with and without the native kernels); at 0.5 the run hovered near its best and whether it stopped hung on the
    // last bits.
    const result = await train({ metaLr: 2, evalEvery: 1, earlyStoppingPatience: 2 }, episodes, runDir, {
      devTasks: syntheticEpisodes(1, { numTasks: 3, tasksPerBatch: 3, support: 3, query: 4, seed: 9 })[0]!.tasks,
    });
    const dev = result.metrics.map((m) => m.devLoss!);
    expect(result.stoppedEarly).toBe(true);
    expect(result.nextIteration).toBeLessThan(episodes.length);
    expect(result.bestDevLoss).toBe(Math.min(...dev));
    expect(dev.slice(-2).every((d) => d > result.bestDevLoss!)).toBe(true);
    expect(readFileSync(join(runDir, 'adapters', 'best', 'adapter_model.safetensors')).length).toBeGreaterThan(0);
    result.shared.dispose();
  });

  it('refuses zero episodes and an episode with zero tasks', async () => {
    await expect(train({}, [])).rejects.toThrowError(/zero episodes/);
    await expect(train({}, [{ iteration: 0, tasks: [] }])).rejects.toThrowError(
      /episode 0 has zero tasks[\s\S]*tasksPerBatch ≥ 1/,
    );
  });

  it('writes PEFT adapters that load back with identical logits, and typed artifacts', async () => {
    const runDir = tmp();
    const episodes = syntheticEpisodes(2, { numTasks: 3, tasksPerBatch: 2, support: 3, query: 3, seed: 7 });
    const { shared } = await train({ adapt: { innerSteps: 1 } }, episodes, runDir);
    const dir = join(runDir, 'adapters', 'shared');
    expect(JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'))).toMatchObject({
      peft_type: 'LORA',
      r: 2,
    });
    const loaded = loadPeftAdapter(dir, model, 'loaded');
    const ids = tf.tensor2d([[1, 10, 4, 23]], [1, 4], 'int32');
    const want = model.logits(ids, { adapters: [shared] });
    const got = model.logits(ids, { adapters: [loaded] });
    expect(got).toBeAllClose(want, { atol: 0, rtol: 0 });
    for (const t of [ids, want, got]) t.dispose();
    loaded.dispose();
    shared.dispose();
    const handoff = readArtifact(join(runDir, 'handoff.arrow'), TaskUpdatesArtifact);
    expect(handoff.rows.map((r) => [r.iteration, r.taskSlot])).toEqual([
      [1, 0],
      [1, 1],
    ]);
    expect(readArtifact(join(runDir, 'diagnostics.arrow'), DiagnosticsArtifact).rows).toHaveLength(4);
  });
});
