import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTinyModel } from '../model/tiny-model.ts';
import { initBackend } from '../runtime/backend.ts';
import { modelFingerprint } from './load-model.ts';
import { saveModel } from './save-model.ts';

await initBackend({ quiet: true });
const dir = mkdtempSync(join(tmpdir(), 'model-fingerprint-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('modelFingerprint', () => {
  it('is the embedded model’s recorded fingerprint (adapters and published study cells carry it)', () => {
    // The value loadModel gave before modelFingerprint was split out of it (537fbdb). It changes only with the model.
    const embedded = resolve(import.meta.dirname, '..', '..', '..', '..', 'models', 'meta-lora-base');
    expect(modelFingerprint(embedded)).toBe('d51c5d22188158f200fa85cef216482ae51655d05eafe261a79e36e96cf05b67');
  });

  it('changes when one byte of the weights changes', async () => {
    const model = createTinyModel(5);
    await saveModel(model, dir);
    model.dispose();
    const before = modelFingerprint(dir);
    const file = join(dir, 'model.safetensors');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1; // the last byte of the last tensor
    writeFileSync(file, bytes);
    expect(modelFingerprint(dir)).not.toBe(before);
  });
});
