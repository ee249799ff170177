/**
 * Tensor-leak guard: runs `fn` and fails when `tf.memory().numTensors` differs afterwards.
 * Pass the tfjs-core instance the code under test uses (there is exactly one per process with pnpm's dedupe).
 */
import type * as tfType from '@tensorflow/tfjs-core';

export async function expectNoTensorLeak<T>(tf: typeof tfType, fn: () => Promise<T> | T): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(`tensor leak: numTensors went from ${before} to ${after} (+${after - before})`);
  }
  return result;
}
