/**
 * The learning-rate schedule of pretraining: linear warmup from 0 to `lr` over `warmupSteps`, then a cosine decay to
 * `minLr` at `maxSteps` (nanoGPT's `get_lr`). `step` counts from 0 (the rate of the first update).
 *
 * A run extended past its planned end (`pretrain --resume --extend-to N`) adds a warm restart: from the restart's
 * step the rate rises linearly from `minLr` to the restart's `lr` over its `warmupSteps`, then decays by a cosine to
 * `minLr` at the next restart or at `maxSteps` (SGDR-style). Each segment before a restart keeps the exact shape it
 * had when it was trained, so extending a run never rewrites the rates of steps already taken.
 *
 * A sitting started from a committed model directory (`pretrain --init-from DIR`) restarts AdamW with fresh moments
 * and ramps the rate linearly from 0 back to the schedule's over `warmupSteps` (`rampedLearningRate`); the schedule
 * itself, and so the config and its hash, are unchanged.
 */

export interface LrRestart {
  /** The first step of the new segment (the old run's `maxSteps`). */
  readonly step: number;
  readonly lr: number;
  readonly warmupSteps: number;
}

export interface LrScheduleConfig {
  readonly lr: number;
  readonly minLr: number;
  readonly warmupSteps: number;
  readonly maxSteps: number;
  readonly restarts?: readonly LrRestart[];
}

/**
 * @example
 * learningRate(0, { lr: 1e-3, minLr: 1e-4, warmupSteps: 10, maxSteps: 100 }); // 1e-4 (1/10 of the warmup)
 */
export function learningRate(step: number, config: LrScheduleConfig): number {
  const { minLr } = config;
  const restarts = config.restarts ?? [];
  let segment = { start: 0, from: 0, lr: config.lr, warmupSteps: config.warmupSteps };
  let end = restarts[0]?.step ?? config.maxSteps;
  for (const [i, r] of restarts.entries()) {
    if (step < r.step) break;
    segment = { start: r.step, from: minLr, lr: r.lr, warmupSteps: r.warmupSteps };
    end = restarts[i + 1]?.step ?? config.maxSteps;
  }
  const local = step - segment.start;
  const { lr, warmupSteps, from } = segment;
  if (local < warmupSteps) return from + ((lr - from) * (local + 1)) / warmupSteps;
  if (step >= end) return minLr;
  const progress = (local - warmupSteps) / Math.max(1, end - segment.start - warmupSteps);
  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lr - minLr);
}

/** A warm restart of the optimizer: fresh AdamW moments from `step`, the rate ramped back to the schedule's. */
export interface OptimizerRestart {
  /** The first step taken with the fresh moments. */
  readonly step: number;
  /** Steps of the linear ramp from 0 to the scheduled rate. */
  readonly warmupSteps: number;
}

/**
 * The scheduled rate of `step` (`learningRate`), scaled by `(step − r.step + 1) / r.warmupSteps` during the ramp of
 * the last optimizer restart `r` at or before `step`, so fresh moments (whose first updates are full-size, `m̂/√v̂ ≈ ±1`)
 * do not jolt the weights at the high rate the schedule has reached.
 *
 * @example
 * rampedLearningRate(1000, schedule, [{ step: 1000, warmupSteps: 50 }]); // learningRate(1000, schedule) / 50
 */
export function rampedLearningRate(
  step: number,
  config: LrScheduleConfig,
  restarts: readonly OptimizerRestart[] = [],
): number {
  const lr = learningRate(step, config);
  const last = restarts.findLast((r) => r.step <= step);
  if (last === undefined || step - last.step >= last.warmupSteps) return lr;
  return (lr * (step - last.step + 1)) / last.warmupSteps;
}
