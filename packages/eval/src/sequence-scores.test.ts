import { causalLmLoss, createTinyModel, IGNORE_INDEX, initBackend, tf } from '@meta-lora/lora-core';
import { describe, expect, it, vi } from 'vitest';
import { packBatches, type ScoredSequence, type SequenceScoreOptions, scoreSequences } from './sequence-scores.ts';

await initBackend({ quiet: true });
const model = createTinyModel(3);

/** Σ log softmax(logits)[t, y_{t+1}] over the continuation, from the full-sequence logits. */
function byHand(context: number[], continuation: number[]): number {
  const seq = [...context, ...continuation];
  const logits = tf.tidy(() => tf.logSoftmax(model.logits(tf.tensor2d([seq], [1, seq.length], 'int32')))); // [1, T, V]
  const lp = logits.arraySync()[0]!;
  logits.dispose();
  let s = 0;
  continuation.forEach((y, j) => {
    s += lp[context.length - 1 + j]![y]!;
  });
  return s;
}

/** Tensors a second scoring of `seqs` leaves behind, after a warm-up (the model caches one causal mask per length). */
function tensorsLeft(seqs: ScoredSequence[], options: SequenceScoreOptions = {}): number {
  scoreSequences(model, seqs, options);
  const before = tf.memory().numTensors;
  scoreSequences(model, seqs, options);
  return tf.memory().numTensors - before;
}

describe('scoreSequences', () => {
  it('equals the continuation log-likelihood computed from the full logits', () => {
    const [a, b] = scoreSequences(model, [
      { context: [1, 5, 6, 7], continuation: [9, 10] },
      { context: [1, 4], continuation: [20, 21, 22] },
    ]);
    expect(a!.logLikelihood).toBeCloseTo(byHand([1, 5, 6, 7], [9, 10]), 4);
    expect(b!.logLikelihood).toBeCloseTo(byHand([1, 4], [20, 21, 22]), 4);
    expect([a!.numTokens, b!.numTokens]).toEqual([2, 3]);
  });

  it('does not depend on batching: right padding never reaches a sequence through causal attention', () => {
    const seqs = [
      { context: [1, 5], continuation: [9] },
      { context: [1, 5, 6, 7, 8, 9, 10], continuation: [11, 12, 13] },
      { context: [1], continuation: [3, 3] },
    ];
    const together = scoreSequences(model, seqs, { batchSize: 3 }).map((s) => s.logLikelihood);
    const alone = scoreSequences(model, seqs, { batchSize: 1 }).map((s) => s.logLikelihood);
    expect(together).toBeAllClose(alone, { atol: 1e-4 });
  });

  it('agrees with causalLmLoss: mean NLL of the same target tokens', () => {
    const context = [1, 8, 9, 10];
    const continuation = [4, 5, 6];
    const [s] = scoreSequences(model, [{ context, continuation }]);
    const labels = Int32Array.from([...context.map(() => IGNORE_INDEX), ...continuation]);
    const loss = causalLmLoss(model, {
      batchSize: 1,
      seqLen: 7,
      inputIds: Int32Array.from([...context, ...continuation]),
      labels,
    });
    expect(-s!.logLikelihood / 3).toBeCloseTo(loss.dataSync()[0]!, 4);
    loss.dispose();
  });

  it('leaves no tensors behind', () => {
    expect(tensorsLeft([{ context: [1, 2, 3], continuation: [4] }])).toBe(0);
  });

  it('keeps the last tokens of a context too long for the model', () => {
    const long = Array.from({ length: 70 }, (_, i) => 3 + (i % 20));
    const [s] = scoreSequences(model, [{ context: long, continuation: [5, 6] }]);
    expect(s!.logLikelihood).toBeCloseTo(byHand(long.slice(70 - 62), [5, 6]), 4);
  });

  it('refuses an empty continuation', () => {
    expect(() => scoreSequences(model, [{ context: [1], continuation: [] }])).toThrow(/continuation has no tokens/);
  });

  it('packs consecutive sequences under both the sequence and the padded-token limits, long ones alone', () => {
    const seq = (n: number) => ({ context: Array.from({ length: n - 1 }, () => 5), continuation: [6] });
    const lengths = [10, 10, 10, 30, 30, 100, 5, 5, 5, 5, 5];
    const batches = packBatches(lengths.map(seq), 4, 64);
    expect(batches.map((b) => b.map((s) => s.context.length + 1))).toEqual([
      [10, 10, 10],
      [30, 30],
      [100],
      [5, 5, 5, 5],
      [5],
    ]);
  });

  describe('with consecutive sequences that share a long context', () => {
    const long = [1, ...Array.from({ length: 40 }, (_, i) => 3 + (i % 20))];
    const seqs = [
      { context: long, continuation: [5, 6] },
      { context: long, continuation: [7, 8] },
      { context: [1, 4, 4], continuation: [3] },
      { context: [1, 4, 4], continuation: [9] }, // shared, but short: scored whole
      { context: long, continuation: [9] },
    ];
    const options = { batchSize: 2, maxBatchTokens: 64 }; // contexts over 32 tokens are long

    it('gives the scores of the whole sequences', () => {
      const whole = scoreSequences(model, seqs, { batchSize: 1 }).map((s) => s.logLikelihood);
      const shared = scoreSequences(model, seqs, options).map((s) => s.logLikelihood);
      expect(shared).toBeAllClose(whole, { atol: 1e-4 });
    });

    it('runs the long context once for the first two and scores the others whole', () => {
      const hidden = vi.spyOn(model, 'hidden');
      scoreSequences(model, seqs, options);
      expect(hidden.mock.calls.map(([ids]) => ids.shape)).toEqual([
        [2, 4], // the two short ones
        [1, 42], // the last, alone
        [1, 40], // the first two's context but its last token
        [2, 3], // its last token and their continuations
      ]);
      hidden.mockRestore();
    });

    it('leaves no tensors behind', () => {
      expect(tensorsLeft(seqs, options)).toBe(0);
    });
  });

  describe('with a shared prefix', () => {
    const prefix = [1, 7, 8, 9, 10, 11, 12, 13, 14];
    const seqs = [
      { context: [...prefix, 20, 21], continuation: [5, 6] },
      { context: [...prefix, 22], continuation: [7] },
      { context: [...prefix, 23, 24, 25, 26], continuation: [8, 9, 10] },
      { context: [1, 4, 4], continuation: [3] }, // does not start with the prefix
      { context: [...prefix], continuation: [3] }, // nothing after the prefix
      { context: [...prefix, ...Array.from({ length: 60 }, (_, i) => 3 + (i % 20))], continuation: [5] }, // cut
    ];

    it('gives the scores of the whole sequences', () => {
      const whole = scoreSequences(model, seqs, { batchSize: 2 }).map((s) => s.logLikelihood);
      const shared = scoreSequences(model, seqs, { batchSize: 2, sharedPrefix: prefix }).map((s) => s.logLikelihood);
      expect(shared).toBeAllClose(whole, { atol: 1e-4 });
    });

    it('runs the prefix once and then only the tokens after it', () => {
      const hidden = vi.spyOn(model, 'hidden');
      scoreSequences(model, seqs, { batchSize: 8, sharedPrefix: prefix });
      expect(hidden.mock.calls.map(([ids]) => ids.shape)).toEqual([
        [3, 64], // the three scored whole (not prefixed, only the prefix, cut to the model's 64 positions)
        [1, 9], // the prefix
        [3, 7], // the three suffixes with their continuations
      ]);
      hidden.mockRestore();
    });

    it('leaves no tensors behind', () => {
      expect(tensorsLeft(seqs, { sharedPrefix: prefix })).toBe(0);
    });
  });

  describe('with a shared prefix and contexts cut to fit the model', () => {
    // The tiny model takes 64 positions; a 60-token prefix leaves room for 4, so longer sequences lose their first
    // tokens: the first two lose 3 each and share the prefix's last 57, the third loses 2, the last two none.
    const prefix = [1, ...Array.from({ length: 59 }, (_, i) => 3 + ((i * 7) % 23))];
    const seqs = [
      { context: [...prefix, 20, 21, 22, 23], continuation: [5, 6, 7] },
      { context: [...prefix, 24, 25, 26, 27, 28], continuation: [8, 9] },
      { context: [...prefix, 20, 21, 22, 23], continuation: [5, 6] },
      { context: [...prefix, 29], continuation: [30, 31] },
      { context: [...prefix, 22], continuation: [9] },
    ];

    it('gives the scores of the whole sequences', () => {
      const whole = scoreSequences(model, seqs, { batchSize: 1 }).map((s) => s.logLikelihood);
      const shared = scoreSequences(model, seqs, { batchSize: 8, sharedPrefix: prefix }).map((s) => s.logLikelihood);
      expect(shared).toBeAllClose(whole, { atol: 1e-4 });
    });

    it('runs what is left of the prefix once per number of tokens cut', () => {
      const hidden = vi.spyOn(model, 'hidden');
      scoreSequences(model, seqs, { batchSize: 8, sharedPrefix: prefix });
      expect(hidden.mock.calls.map(([ids]) => ids.shape)).toEqual([
        [1, 64], // the third, alone in losing 2: scored whole (cut to the 64 positions)
        [1, 57], // the first two: the prefix after its 3 cut tokens
        [2, 7], // their suffixes with their continuations
        [1, 60], // the uncut two: the whole prefix
        [2, 3], // their suffixes with their continuations
      ]);
      hidden.mockRestore();
    });

    it('leaves no tensors behind', () => {
      expect(tensorsLeft(seqs, { sharedPrefix: prefix })).toBe(0);
    });
  });
});
