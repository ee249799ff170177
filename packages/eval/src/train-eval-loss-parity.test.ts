/**
 * Sanity check (d) of issue 16: eval's target loss on an example is the training loss of the same example — one
 * formatting path for both. Training encodes an example with lora-core's `encodeExample` (`[bos] + input`, target
 * `+ [eos]`), batches it with `idExampleBatch` (prompts cut from the left to `maxSeqLen`) and averages `causalLmLoss`
 * over the target tokens; eval (`evaluateTask`) must give the same number.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  causalLmLoss,
  encodeExample,
  idExampleBatch,
  initBackend,
  loadModel,
  type TextExample,
  tf,
} from '@meta-lora/lora-core';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateTask } from './evaluate-task.ts';
import { writeTinyModelDir } from './test-fixtures.ts';

await initBackend({ quiet: true });
const root = mkdtempSync(join(tmpdir(), 'meta-lora-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// A tiny model with a real byte-level BPE tokenizer.json (BOS <s>, EOS </s>), loaded the way both stages load it.
const { model, tokenizer } = await loadModel(writeTinyModelDir(join(root, 'model'), 3, { tokenizer: true }));
const codec = tokenizer!;
const example: TextExample = { input: 'Review: the plot\nSentiment:', target: ' positive' };

/** Mean NLL per target token the way training computes it (optionally without the EOS it appends). */
function trainingLoss(e: TextExample, options: { eos?: boolean; maxSeqLen?: number } = {}): number {
  const withEos = { encode: codec.encode.bind(codec), bosTokenId: codec.bosTokenId, eosTokenId: codec.eosTokenId };
  const ids = encodeExample(options.eos === false ? { ...withEos, eosTokenId: undefined } : withEos, e);
  const batch = idExampleBatch([ids], { maxSeqLen: options.maxSeqLen ?? 64, padTokenId: 0 });
  return tf.tidy(() => causalLmLoss(model, batch).dataSync()[0]!);
}

const evalLoss = (e: TextExample, maxSeqLen?: number) =>
  evaluateTask(model, codec, [e], 'generation', { maxNewTokens: 1, ...(maxSeqLen ? { maxSeqLen } : {}) }).targetLoss;

describe('eval target loss vs training loss of the same example', () => {
  it('agree to 1e-5 (eval scores the EOS that training appends to the target)', () => {
    expect(Math.abs(evalLoss(example) - trainingLoss(example))).toBeLessThan(1e-5);
  });

  it('agree to 1e-5 on a prompt longer than training’s maxSeqLen (both cut it from the left)', () => {
    // 1 BOS + 24 prompt + 10 target tokens (EOS included): with maxSeqLen 24 both keep the last 13 prompt tokens.
    expect(Math.abs(evalLoss(example, 24) - trainingLoss(example, { maxSeqLen: 24 }))).toBeLessThan(1e-5);
  });

  it('differ once the prompt is cut in training only (the check can fail)', () => {
    expect(Math.abs(evalLoss(example) - trainingLoss(example, { maxSeqLen: 24 }))).toBeGreaterThan(1e-4);
  });

  it('agree on a classification example: the gold label’s loss is the training loss', () => {
    const labelled = { ...example, choices: [' positive', ' negative'] };
    const m = evaluateTask(model, codec, [labelled], 'classification');
    expect(Math.abs(m.targetLoss - trainingLoss(example))).toBeLessThan(1e-5);
  });
});
