/**
 * A tiny pretraining run for tests: a 2-layer model of hidden size 16 on a synthetic stream of counting runs mod 48
 * with random restarts, so the loss can fall. The resume tests here and the fault-injection suite (test/faults, which
 * kills it in a child process) train it.
 */
import { Rng } from '@meta-lora/artifacts';
import { type PretrainConfig, type PretrainConfigInput, parsePretrainConfig } from './pretrain-config.ts';

/**
 * The tiny run's config; `train` overrides its training fields.
 *
 * @example
 * const config = tinyPretrainConfig({ checkpointEvery: 20 });
 */
export function tinyPretrainConfig(train: PretrainConfigInput['train'] = {}): PretrainConfig {
  return parsePretrainConfig({
    model: {
      hiddenSize: 16,
      intermediateSize: 32,
      numHiddenLayers: 2,
      numAttentionHeads: 4,
      numKeyValueHeads: 2,
      vocabSize: 64,
      maxPositionEmbeddings: 64,
    },
    train: {
      seed: 7,
      maxSteps: 100,
      batchSize: 4,
      seqLen: 16,
      lr: 1e-2,
      minLr: 1e-3,
      warmupSteps: 10,
      evalEvery: 25,
      evalWindows: 4,
      logEvery: 100,
      ...train,
    },
  });
}

/**
 * `length` token ids of the tiny run's stream: ids 2..49 counting up mod 48, restarting at a random id with
 * probability 0.1 (ids 0 and 1 are BOS/EOS and padding).
 *
 * @example
 * const train = countingStream(3, 3000);
 */
export function countingStream(seed: number, length: number): Uint16Array {
  const rng = Rng.fromSeed(seed);
  let next = 2;
  return Uint16Array.from({ length }, () => {
    next = rng.next() < 0.1 ? 2 + rng.int(48) : 2 + ((next - 1) % 48);
    return next;
  });
}
