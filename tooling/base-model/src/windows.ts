/**
 * Training and evaluation batches cut from a packed token stream. A window is `seqLen + 1` consecutive tokens; every
 * position but the last predicts the next one, so a window carries `seqLen` targets. Training windows start at seeded
 * random offsets; evaluation windows are a fixed, evenly spaced set, so every evaluation sees the same tokens.
 */
import { MetaLoraError, type Rng } from '@meta-lora/artifacts';
import type { TokenBatch } from '@meta-lora/lora-core';

/**
 * A batch of `batchSize` windows of `windowLen` tokens starting at `starts`.
 *
 * @example
 * windowBatch(stream, [0, 100], 129); // { batchSize: 2, seqLen: 129, … }
 */
export function windowBatch(stream: Uint16Array, starts: readonly number[], windowLen: number): TokenBatch {
  const ids = new Int32Array(starts.length * windowLen);
  starts.forEach((start, b) => {
    if (start < 0 || start + windowLen > stream.length) {
      throw new MetaLoraError(
        'DATA_INVALID',
        `window [${start}, ${start + windowLen}) is outside the stream of ${stream.length} tokens`,
        { value: start, fix: 'use a shorter seqLen or a larger corpus' },
      );
    }
    for (let t = 0; t < windowLen; t++) ids[b * windowLen + t] = stream[start + t] as number;
  });
  // Every token is a target: labels are the inputs (the loss shifts them).
  return { batchSize: starts.length, seqLen: windowLen, inputIds: ids, labels: ids };
}

/**
 * `batchSize` windows at uniformly random offsets, drawn from `rng` (which advances by exactly `batchSize` draws).
 *
 * @example
 * const batch = randomWindows(stream, 8, 129, Rng.fromSeed(0));
 */
export function randomWindows(stream: Uint16Array, batchSize: number, windowLen: number, rng: Rng): TokenBatch {
  const positions = stream.length - windowLen + 1;
  if (positions <= 0) {
    throw new MetaLoraError(
      'DATA_INVALID',
      `the token stream has ${stream.length} tokens, fewer than one window of ${windowLen}`,
      {
        value: stream.length,
        fix: 'use a shorter seqLen or a larger corpus',
      },
    );
  }
  return windowBatch(
    stream,
    Array.from({ length: batchSize }, () => rng.int(positions)),
    windowLen,
  );
}

/**
 * Start offsets of `count` evenly spaced windows covering the stream from its first to its last token.
 *
 * @example
 * evalWindowStarts(1000, 100, 3); // [0, 450, 900]
 */
export function evalWindowStarts(streamLength: number, windowLen: number, count: number): number[] {
  const span = streamLength - windowLen;
  if (span < 0) {
    throw new MetaLoraError(
      'DATA_INVALID',
      `the held-out stream has ${streamLength} tokens, fewer than one window of ${windowLen}`,
      { value: streamLength, fix: 'use a shorter seqLen or fewer evaluation windows' },
    );
  }
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.floor((i * span) / (count - 1)));
}
