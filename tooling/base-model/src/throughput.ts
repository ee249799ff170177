/**
 * Training throughput of a pretraining config, measured by running `pretrain` itself for a few steps on random tokens
 * in a temporary run directory: how the default model was sized (see the package README). The first step (kernel
 * warm-up) is included, so use enough steps for it not to matter.
 *
 * On a machine shared with other work, wall-clock tokens/s mostly measures the neighbours; tokens per CPU-second (the
 * process's user + system time, all its threads, model set-up and the final checkpoint included) is what a config
 * costs, and compares configs under any load. With `dataParallel` the workers start (and build their model copies)
 * before the first step, outside the step time but inside the CPU time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@meta-lora/artifacts';
import { pretrain } from './pretrain.ts';
import type { PretrainConfig } from './pretrain-config.ts';

export interface Throughput {
  readonly parameters: number;
  readonly steps: number;
  readonly tokensPerSecond: number;
  readonly secondsPerStep: number;
  /** CPU seconds of the whole process (every thread) during the run. */
  readonly cpuSeconds: number;
  readonly tokensPerCpuSecond: number;
  /**
   * Tokens per wall second and per CPU-second from the end of the first step to the end of the last: without the
   * set-up (model, data-parallel workers) and the first step's kernel warm-up. NaN with a single step.
   */
  readonly steadyTokensPerSecond: number;
  readonly steadyTokensPerCpuSecond: number;
}

/**
 * @example
 * const { tokensPerSecond } = await measureThroughput(parsePretrainConfig({}), 10);
 * const parallel = await measureThroughput(parsePretrainConfig({}), 10, { dataParallel: 2 });
 */
export async function measureThroughput(
  config: PretrainConfig,
  steps: number,
  options: { readonly dataParallel?: number } = {},
): Promise<Throughput> {
  const rng = Rng.fromSeed(0);
  const train = Uint16Array.from({ length: 200_000 }, () => rng.int(config.model.vocabSize));
  const runDir = mkdtempSync(join(tmpdir(), 'meta-lora-throughput-'));
  try {
    const measured: PretrainConfig = {
      ...config,
      train: { ...config.train, maxSteps: steps, evalEvery: steps + 1, evalWindows: 1, checkpointEvery: steps + 1 },
    };
    const cpuStart = process.cpuUsage();
    let steady = { cpu: cpuStart, wall: 0, tokens: 0 };
    let last = { cpu: cpuStart, wall: 0, tokens: 0 };
    const { model, state } = await pretrain(
      measured,
      { train, heldOut: train.slice(0, config.train.seqLen + 1) },
      {
        runDir,
        tokens: { bosTokenId: 0, eosTokenId: 0, padTokenId: 1 },
        log: () => {},
        onStep: (s) => {
          last = { cpu: process.cpuUsage(), wall: performance.now(), tokens: s.tokensSeen };
          if (s.step === 1) steady = last;
        },
        ...options,
      },
    );
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const steadyCpu = (last.cpu.user + last.cpu.system - steady.cpu.user - steady.cpu.system) / 1e6;
    const steadyTokens = last.tokens - steady.tokens;
    const parameters = model.numParameters();
    model.dispose();
    return {
      parameters,
      steps: state.step,
      tokensPerSecond: state.tokensSeen / state.trainSeconds,
      secondsPerStep: state.trainSeconds / state.step,
      cpuSeconds,
      tokensPerCpuSecond: state.tokensSeen / cpuSeconds,
      steadyTokensPerSecond: steadyTokens > 0 ? steadyTokens / ((last.wall - steady.wall) / 1000) : Number.NaN,
      steadyTokensPerCpuSecond: steadyTokens > 0 ? steadyTokens / steadyCpu : Number.NaN,
    };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}
