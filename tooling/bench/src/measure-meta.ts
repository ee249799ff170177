/**
 * Meta-iteration throughput: MeTA-LoRA iterations per second on a real model directory, in-thread and with stage-1
 * worker threads, on seeded synthetic episodes (4 tasks per iteration, 8 support + 8 query examples of 40 prompt and
 * 6 target tokens; all-linear LoRA r 8). The adapters of the runs must be byte-identical: the speed-up is only worth
 * reporting if parallel and sequential compute the same thing.
 *
 * Two rates per run: end to end (`metaTrain`'s wall time, worker start-up and the first iterations' warm-up included)
 * and steady (iterations after the first `META_WARMUP_ITERATIONS`, timed from the end of the last warm-up iteration), which
 * is what a long run converges to. Rounds repeat the worker counts in turn and the medians are reported: on a shared
 * machine single readings drift by ±15 %.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@meta-lora/artifacts';
import { type IdExample, type LlamaModel, loadModel } from '@meta-lora/lora-core';
import { type MetaEpisode, metaTrain, parseMetaConfig } from '@meta-lora/stage2-meta';
import { META_WARMUP_ITERATIONS } from './bench-options.ts';

export interface MetaThroughput {
  readonly workers: number;
  readonly iterations: number;
  /** Measurements taken (rounds over all worker counts, interleaved so drift hits every count alike). */
  readonly repeats: number;
  /** Median wall seconds of the whole `metaTrain` call. */
  readonly seconds: number;
  /** End to end: iterations / seconds (median). */
  readonly iterationsPerSecond: number;
  /** Iterations per second after the warm-up iterations (median). */
  readonly steadyIterationsPerSecond: number;
  /** Slowest and fastest steady rate of the repeats. */
  readonly steadyRange: readonly [number, number];
  /** Steady rate of each round, in round order. */
  readonly steadyByRound: readonly number[];
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

/** One `metaTrain` run: wall seconds, steady rate, and the shared adapter's bytes. */
async function timeRun(
  loaded: { model: LlamaModel; fingerprint: string },
  modelDir: string,
  eps: readonly MetaEpisode[],
  workers: number,
): Promise<{ seconds: number; steady: number; adapter: Buffer }> {
  const runDir = mkdtempSync(join(tmpdir(), 'meta-bench-'));
  try {
    const config = parseMetaConfig({
      lora: { r: 8, loraAlpha: 16, targetModules: 'all-linear' },
      workers,
      checkpointEvery: 1_000_000,
      evalEvery: 1_000_000,
    });
    const ends: number[] = [];
    const started = performance.now();
    const { shared } = await metaTrain({
      model: loaded.model,
      modelSource: { dir: modelDir },
      fingerprint: loaded.fingerprint,
      config,
      episodes: eps,
      runDir,
      onIteration: () => ends.push(performance.now()),
    });
    const seconds = (performance.now() - started) / 1000;
    shared.dispose();
    const warm = ends[META_WARMUP_ITERATIONS - 1] as number;
    const steady = (eps.length - META_WARMUP_ITERATIONS) / (((ends.at(-1) as number) - warm) / 1000);
    return { seconds, steady, adapter: readFileSync(join(runDir, 'adapters', 'shared', 'adapter_model.safetensors')) };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Runs `iterations` meta-iterations for each worker count, `repeats` rounds; returns the median timings and whether
 * every run's adapter is byte-identical.
 */
export async function measureMeta(
  modelDir: string,
  iterations: number,
  workerCounts: readonly number[],
  repeats: number,
  log: (line: string) => void,
): Promise<{ runs: MetaThroughput[]; identical: boolean }> {
  const loaded = await loadModel(modelDir);
  const eps = episodes(iterations, loaded.model.config.vocabSize, 0);
  const timings = workerCounts.map(() => [] as { seconds: number; steady: number }[]);
  const adapters: Buffer[] = [];
  try {
    for (let round = 0; round < repeats; round++) {
      for (const [i, workers] of workerCounts.entries()) {
        log(
          `meta mode, round ${round + 1}/${repeats}: ${iterations} iterations ${workers === 0 ? 'in-thread' : `with ${workers} worker${workers === 1 ? '' : 's'}`} ...`,
        );
        const { adapter, ...t } = await timeRun(loaded, modelDir, eps, workers);
        timings[i]?.push(t);
        adapters.push(adapter);
      }
    }
  } finally {
    loaded.model.dispose();
  }
  const runs = workerCounts.map((workers, i): MetaThroughput => {
    const ts = timings[i] as { seconds: number; steady: number }[];
    const seconds = median(ts.map((t) => t.seconds));
    const steady = ts.map((t) => t.steady);
    return {
      workers,
      iterations,
      repeats,
      seconds: Math.round(seconds * 10) / 10,
      iterationsPerSecond: r3(iterations / seconds),
      steadyIterationsPerSecond: r3(median(steady)),
      steadyRange: [r3(Math.min(...steady)), r3(Math.max(...steady))],
      steadyByRound: steady.map(r3),
    };
  });
  return { runs, identical: adapters.every((a) => a.equals(adapters[0] as Buffer)) };
}
