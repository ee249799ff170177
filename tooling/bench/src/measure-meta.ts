/**
 * Meta-iteration throughput: MeTA-LoRA iterations per second on a real model directory, in-thread and with stage-1
 * worker threads, on seeded synthetic episodes (4 tasks per iteration, 8 support + 8 query examples of 40 prompt and
 * 6 target tokens; all-linear LoRA r 8). The adapters of the runs must be byte-identical: the speed-up is only worth
 * reporting if parallel and sequential compute the same thing.
 *
 * Two rates per run: end to end (`metaTrain`'s wall time, worker start-up and the first iterations' warm-up included)
 * and steady (iterations after the first `META_WARMUP_ITERATIONS`, timed from the end of the last warm-up iteration), which
 * is what a long run converges to.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@meta-lora/artifacts';
import { type IdExample, loadModel } from '@meta-lora/lora-core';
import { type MetaEpisode, metaTrain, parseMetaConfig } from '@meta-lora/stage2-meta';
import { META_WARMUP_ITERATIONS } from './bench-options.ts';

export interface MetaThroughput {
  readonly workers: number;
  readonly iterations: number;
  /** Wall seconds of the whole `metaTrain` call. */
  readonly seconds: number;
  /** End to end: iterations / seconds. */
  readonly iterationsPerSecond: number;
  /** Iterations per second after the warm-up iterations. */
  readonly steadyIterationsPerSecond: number;
}

function episodes(iterations: number, vocab: number, seed: number): MetaEpisode[] {
  const rng = Rng.fromSeed(seed);
  const example = (): IdExample => ({
    prefixIds: [0],
    promptIds: Array.from({ length: 40 }, () => 2 + rng.int(vocab - 2)),
    targetIds: [...Array.from({ length: 5 }, () => 2 + rng.int(vocab - 2)), 0],
  });
  return Array.from({ length: iterations }, (_, iteration) => ({
    iteration,
    tasks: Array.from({ length: 4 }, (_, t) => ({
      taskId: `task-${(iteration * 4 + t) % 11}`,
      support: Array.from({ length: 8 }, example),
      query: Array.from({ length: 8 }, example),
    })),
  }));
}

/** Runs `iterations` meta-iterations for each worker count; returns the timings and whether the adapters agree. */
export async function measureMeta(
  modelDir: string,
  iterations: number,
  workerCounts: readonly number[],
  log: (line: string) => void,
): Promise<{ runs: MetaThroughput[]; identical: boolean }> {
  const { model, fingerprint } = await loadModel(modelDir);
  const eps = episodes(iterations, model.config.vocabSize, 0);
  const runs: MetaThroughput[] = [];
  const adapters: Buffer[] = [];
  try {
    for (const workers of workerCounts) {
      log(
        `meta mode: ${iterations} iterations with ${workers === 0 ? 'no workers (in-thread)' : `${workers} workers`} ...`,
      );
      const runDir = mkdtempSync(join(tmpdir(), 'meta-bench-'));
      const config = parseMetaConfig({
        lora: { r: 8, loraAlpha: 16, targetModules: 'all-linear' },
        workers,
        checkpointEvery: 1_000_000,
        evalEvery: 1_000_000,
      });
      const ends: number[] = [];
      const started = performance.now();
      const { shared } = await metaTrain({
        model,
        modelSource: { dir: modelDir },
        fingerprint,
        config,
        episodes: eps,
        runDir,
        onIteration: () => ends.push(performance.now()),
      });
      const seconds = (performance.now() - started) / 1000;
      const warm = ends[META_WARMUP_ITERATIONS - 1] as number;
      const steadySeconds = ((ends.at(-1) as number) - warm) / 1000;
      shared.dispose();
      adapters.push(readFileSync(join(runDir, 'adapters', 'shared', 'adapter_model.safetensors')));
      rmSync(runDir, { recursive: true, force: true });
      runs.push({
        workers,
        iterations,
        seconds: Math.round(seconds * 10) / 10,
        iterationsPerSecond: Math.round((iterations / seconds) * 1000) / 1000,
        steadyIterationsPerSecond: Math.round(((iterations - META_WARMUP_ITERATIONS) / steadySeconds) * 1000) / 1000,
      });
    }
  } finally {
    model.dispose();
  }
  return { runs, identical: adapters.every((a) => a.equals(adapters[0]!)) };
}
