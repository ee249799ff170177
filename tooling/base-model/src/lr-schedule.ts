/**
 * The learning-rate schedule of pretraining: linear warmup from 0 to `lr` over `warmupSteps`, then a cosine decay to
 * `minLr` at `maxSteps` (nanoGPT's `get_lr`). `step` counts from 0 (the rate of the first update).
 */

export interface LrScheduleConfig {
  readonly lr: number;
  readonly minLr: number;
  readonly warmupSteps: number;
  readonly maxSteps: number;
}

/**
 * @example
 * learningRate(0, { lr: 1e-3, minLr: 1e-4, warmupSteps: 10, maxSteps: 100 }); // 1e-4 (1/10 of the warmup)
 */
export function learningRate(step: number, config: LrScheduleConfig): number {
  const { lr, minLr, warmupSteps, maxSteps } = config;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  if (step >= maxSteps) return minLr;
  const progress = (step - warmupSteps) / Math.max(1, maxSteps - warmupSteps);
  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lr - minLr);
}
