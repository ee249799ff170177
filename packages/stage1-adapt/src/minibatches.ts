/**
 * Minibatches of the training loop: a set no larger than the batch size is used whole every step; a larger one is
 * walked in batch-size chunks of a seeded shuffle, reshuffled at each pass.
 */
import type { Rng } from '@meta-lora/artifacts';

/**
 * The example indices of each inner step.
 *
 * @example
 * innerMinibatches(3, 8, 2, rng); // [[0, 1, 2], [0, 1, 2]]
 */
export function innerMinibatches(n: number, batchSize: number, steps: number, rng: Rng): number[][] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= batchSize) return Array.from({ length: steps }, () => all);
  const out: number[][] = [];
  let order: number[] = [];
  while (out.length < steps) {
    if (order.length < batchSize) order = [...order, ...rng.shuffle(all)];
    out.push(order.slice(0, batchSize));
    order = order.slice(batchSize);
  }
  return out;
}
