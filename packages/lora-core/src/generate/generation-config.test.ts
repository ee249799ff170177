import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { thrownBy } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../io/load-model.ts';
import { saveModel } from '../io/save-model.ts';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { parseGenerationConfig, readGenerationConfig } from './generation-config.ts';

await initBackend({ quiet: true });
const dir = mkdtempSync(join(tmpdir(), 'generation-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const caught = (fn: () => unknown) => thrownBy(fn, MetaLoraError);

describe('generation_config.json', () => {
  it('reads the HF sampling fields, ignores other keys and treats null as unset', () => {
    const config = parseGenerationConfig({
      do_sample: true,
      temperature: 0.7,
      top_p: 0.9,
      repetition_penalty: 1.3,
      max_new_tokens: 64,
      top_k: null,
      eos_token_id: 2,
      transformers_version: '4.44.0',
    });
    expect(config).toEqual({ doSample: true, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.3, maxNewTokens: 64 });
    expect(parseGenerationConfig({ temperature: null, bos_token_id: 1 })).toEqual({});
  });

  it('refuses a malformed field, naming the file, the field and the value', () => {
    const error = caught(() => parseGenerationConfig({ repetition_penalty: -1 }, 'm/generation_config.json'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/`repetition_penalty`.*-1/);
    expect(error.details).toMatchObject({ path: 'm/generation_config.json', field: 'repetition_penalty', value: -1 });
  });

  it('is null for a directory without one', () => {
    expect(readGenerationConfig(dir)).toBeNull();
  });

  it('loadModel exposes it as generationConfig', async () => {
    const model = createTinyModel(3);
    const file = `${JSON.stringify({ do_sample: false, repetition_penalty: 1.3 })}\n`;
    await saveModel(model, dir, { extraFiles: { 'generation_config.json': file } });
    model.dispose();
    const loaded = await loadModel(dir);
    expect(loaded.generationConfig).toEqual({ doSample: false, repetitionPenalty: 1.3 });
    loaded.model.dispose();
  });

  it('loadModel refuses a malformed one', async () => {
    writeFileSync(join(dir, 'generation_config.json'), '{"top_p": 1.5}');
    await expect(loadModel(dir)).rejects.toThrow(/generation config field `top_p`/);
  });
});
