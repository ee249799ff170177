/**
 * Training throughput of a pretraining config, measured by running `pretrain` itself for a few steps on random tokens
 * in a temporary run directory: how the default model was sized (see the package README). The first step (kernel
 * warm-up) is included, so use enough steps for it not to matter.
 *
 * On a machine shared with other work, wall-clock tokens/s mostly measures the neighbours; tokens per CPU-second (the
 * process's user + system time, all its threads, model set-up and the final checkpoint included) is what a config
 * costs, and compares configs under any load.
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
}

/**
 * @example
 * const { tokensPerSecond } = await measureThroughput(parsePretrainConfig({}), 10);
 */
export async function measureThroughput(config: PretrainConfig, steps: number): Promise<Throughput> {
  const rng = Rng.fromSeed(0);
  const train = Uint16Array.from({ length: 200_000 }, () => rng.int(config.model.vocabSize));
  const runDir = mkdtempSync(join(tmpdir(), 'meta-lora-throughput-'));
  try {
    const measured: PretrainConfig = {
      ...config,
      train: { ...config.train, maxSteps: steps, evalEvery: steps + 1, evalWindows: 1, checkpointEvery: steps + 1 },
    };
    const cpuStart = process.cpuUsage();
    const { model, state } = await pretrain(
      measured,
      { train, heldOut: train.slice(0, config.train.seqLen + 1) },
      { runDir, tokens: { bosTokenId: 0, eosTokenId: 0, padTokenId: 1 }, log: () => {} },
    );
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const parameters = model.numParameters();
    model.dispose();
    return {
      parameters,
      steps: state.step,
      tokensPerSecond: state.tokensSeen / state.trainSeconds,
      secondsPerStep: state.trainSeconds / state.step,
      cpuSeconds,
      tokensPerCpuSecond: state.tokensSeen / cpuSeconds,
    };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}
