/**
 * Memory mode of `pnpm bench` (issue 8: memory stays flat). Trains the bench model for `steps` steps and compares the
 * resident set size and `tf.memory().numTensors` after step 100 with their values after the last step.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import { Optimizer, tf, trainStep } from '@meta-lora/lora-core';
import type { BenchModel } from './bench-model.ts';
import type { BenchOptions } from './bench-options.ts';
import { round } from './measure-engine.ts';

/** Memory at one step. */
export interface MemoryPoint {
  readonly step: number;
  readonly rssMiB: number;
  readonly numTensors: number;
  readonly numBytes: number;
}

export interface MemoryReport {
  readonly first: MemoryPoint;
  readonly last: MemoryPoint;
  /** last / first. */
  readonly rssRatio: number;
  readonly tensorRatio: number;
  /** Both ratios within 5%. */
  readonly flat: boolean;
}

/** The step at which the baseline is taken. */
export const MEMORY_BASELINE_STEP = 100;

/**
 * Runs the memory check; `onProgress` hears every 100th step.
 *
 * @example
 * const { flat } = memoryCheck(bench, { ...options, memorySteps: 1000 });
 */
export function memoryCheck(
  bench: BenchModel,
  options: BenchOptions,
  onProgress: (point: MemoryPoint) => void = () => {},
): MemoryReport {
  const optimizer = new Optimizer({ type: 'adamw', lr: options.lr, weightDecay: 0 });
  let first: MemoryPoint | undefined;
  let last: MemoryPoint | undefined;
  for (let step = 1; step <= options.memorySteps; step++) {
    trainStep(bench.model, bench.adapter, bench.batch, optimizer);
    if (step % 100 === 0 || step === options.memorySteps) {
      const mem = tf.memory();
      last = {
        step,
        rssMiB: round(process.memoryUsage().rss / 2 ** 20, 1),
        numTensors: mem.numTensors,
        numBytes: mem.numBytes,
      };
      if (step === MEMORY_BASELINE_STEP) first = last;
      onProgress(last);
    }
  }
  optimizer.dispose();
  if (first === undefined || last === undefined) {
    throw new MetaLoraError('CONFIG_INVALID', `memoryCheck: memorySteps must be >= 200, got ${options.memorySteps}`, {
      field: 'memorySteps',
      value: options.memorySteps,
      fix: 'pass --memory-steps 1000',
    });
  }
  const rssRatio = round(last.rssMiB / first.rssMiB, 4);
  const tensorRatio = round(last.numTensors / first.numTensors, 4);
  return {
    first,
    last,
    rssRatio,
    tensorRatio,
    flat: Math.abs(rssRatio - 1) <= 0.05 && Math.abs(tensorRatio - 1) <= 0.05,
  };
}
