import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@meta-lora/artifacts';
import { initBackend, LlamaModel, loadModel, parseModelConfig, randomWeights } from '@meta-lora/lora-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, REPETITION_PENALTY } from './export-model.ts';
import { hfModelConfig, parsePretrainConfig } from './pretrain-config.ts';

const tokenizerDir = fileURLToPath(new URL('../../../models/meta-lora-base/', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'export-model-test-'));
beforeAll(() => initBackend({ quiet: true }));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('exportModel', () => {
  it('writes an HF directory that loadModel reads back with the same weights and the tokenizer', async () => {
    const { model: m } = parsePretrainConfig({
      model: { vocabSize: 8192, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1 },
    });
    const tokens = { bosTokenId: 0, eosTokenId: 0, padTokenId: 1 };
    const config = parseModelConfig(hfModelConfig(m, tokens), 'test');
    const model = LlamaModel.fromTensors(config, randomWeights(config, Rng.fromSeed(1)), 'test', { trainable: true });
    await exportModel(model, out, { tokenizerDir, tokens, extraFiles: { 'README.md': '# card\n' } });

    const hf = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect([hf.model_type, hf.bos_token_id, hf.eos_token_id, hf.vocab_size, hf.torch_dtype]).toEqual([
      'llama',
      0,
      0,
      8192,
      'float32',
    ]);
    expect(JSON.parse(readFileSync(join(out, 'generation_config.json'), 'utf8')).eos_token_id).toBe(0);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('# card\n');
    expect(statSync(join(out, 'model.safetensors')).size).toBeLessThan(40e6);

    const loaded = await loadModel(out);
    const expected = [...model.namedWeights()].map(([n, t]) => [n, [...t.dataSync()]]);
    expect([...loaded.model.namedWeights()].map(([n, t]) => [n, [...t.dataSync()]])).toEqual(expected);
    expect(loaded.generationConfig).toMatchObject({ doSample: true, repetitionPenalty: REPETITION_PENALTY });
    expect(loaded.tokenizer?.encode('Once upon a time', { addSpecialTokens: true })[0]).toBe(0);
    loaded.model.dispose();
    model.dispose();
  });
});
