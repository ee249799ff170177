/**
 * Times meta-lora the way torch_lora_bench.py times PyTorch: a LoRA training step (forward, next-token loss, backward,
 * AdamW on the LoRA factors only), a forward with LoRA and one without, each as median and minimum over `steps` runs
 * after `warmup` untimed ones; tokens/s = B·T / median; GFLOP/s = 6 · paramsNonEmbedding · train tokens/s.
 */
import { Optimizer, tf, trainStep } from '@meta-lora/lora-core';
import type { BenchModel } from './bench-model.ts';
import type { BenchOptions } from './bench-options.ts';

/** Median and minimum of one timed operation, in milliseconds. */
export interface Timing {
  readonly msMedian: number;
  readonly msMin: number;
  /**
   * Median CPU time of this process per call (all its threads), where measured (meta-lora only). On a shared machine
   * wall time swings with the load; CPU time swings much less.
   */
  readonly cpuMsMedian?: number;
}

/** One side's figures at one thread count (the same fields for meta-lora and for the PyTorch reference). */
export interface Throughput {
  readonly threads: number;
  readonly trainStep: Timing;
  readonly forward: Timing;
  readonly baseForward: Timing;
  readonly trainTokensPerS: number;
  readonly forwardTokensPerS: number;
  readonly baseForwardTokensPerS: number;
  readonly achievedGflops: number;
  readonly lossFirst: number;
  readonly lossLast: number;
}

/**
 * Median and minimum wall time of `steps` calls after `warmup` untimed calls.
 *
 * @example
 * timeMs(() => work(), 2, 10); // { msMedian: 12.3, msMin: 11.9 }
 */
export function timeMs(fn: () => void, warmup: number, steps: number): Timing {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const t1 = performance.now();
    const c = process.cpuUsage(c0);
    if (i >= warmup) {
      times.push(t1 - t0);
      cpu.push((c.user + c.system) / 1e3);
    }
  }
  return { msMedian: median(times), msMin: Math.min(...times), cpuMsMedian: round(median(cpu), 1) };
}

/** The median (mean of the middle two for an even count), as Python's `statistics.median`. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Runs the three timings on `bench` at the thread count already set. The TF.js backends run kernels synchronously,
 * so a call's wall time is its compute time; the training step reads its loss back, as `loss.item()` does in torch.
 *
 * @example
 * const figures = measureEngine(await buildBenchModel(options), options, 1);
 */
export function measureEngine(bench: BenchModel, options: BenchOptions, threads: number): Throughput {
  const { model, adapter, batch } = bench;
  const optimizer = new Optimizer({ type: 'adamw', lr: options.lr, weightDecay: 0 });
  const losses: number[] = [];
  const train = timeMs(
    () => {
      losses.push(trainStep(model, adapter, batch, optimizer).loss);
    },
    options.warmup,
    options.steps,
  );
  const ids = tf.tensor2d(batch.inputIds, [batch.batchSize, batch.seqLen], 'int32'); // [B, T]
  const forward = timeMs(() => model.logits(ids, { adapters: [adapter] }).dispose(), options.warmup, options.steps);
  const baseForward = timeMs(() => model.logits(ids).dispose(), options.warmup, options.steps);
  ids.dispose();
  optimizer.dispose();
  const tokens = batch.batchSize * batch.seqLen;
  const perS = (t: Timing) => round((tokens / t.msMedian) * 1e3, 1);
  return {
    threads,
    trainStep: train,
    forward,
    baseForward,
    trainTokensPerS: perS(train),
    forwardTokensPerS: perS(forward),
    baseForwardTokensPerS: perS(baseForward),
    achievedGflops: round((6 * bench.paramsNonEmbedding * tokens) / train.msMedian / 1e6, 2),
    lossFirst: round(losses[0] as number, 4),
    lossLast: round(losses[losses.length - 1] as number, 4),
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
