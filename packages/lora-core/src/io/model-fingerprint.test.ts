import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { loadModel, modelFingerprint } from './load-model.ts';
import { saveModel } from './save-model.ts';

await initBackend({ quiet: true });
const dir = mkdtempSync(join(tmpdir(), 'model-fingerprint-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('modelFingerprint', () => {
  it('equals the fingerprint loadModel gives, without loading the model', async () => {
    const model = createTinyModel(5);
    await saveModel(model, dir);
    model.dispose();
    const loaded = await loadModel(dir);
    loaded.model.dispose();
    expect(modelFingerprint(dir)).toBe(loaded.fingerprint);
  });

  it('changes when one byte of the weights changes', () => {
    const before = modelFingerprint(dir);
    const file = join(dir, 'model.safetensors');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1; // the last byte of the last tensor
    writeFileSync(file, bytes);
    expect(modelFingerprint(dir)).not.toBe(before);
  });
});
