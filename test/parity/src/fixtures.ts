/**
 * Access to the golden fixtures written by `scripts/make_fixtures.py` (see ../README.md for their layout).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, type SafetensorsFile } from '@meta-lora/lora-core';

export const FIXTURE_VERSION = 1;
const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = resolve(here, '..', 'fixtures');
/** The repository root: fixture model paths such as `../shared/models/stories260K` are relative to it. */
export const REPO_ROOT = resolve(here, '..', '..', '..');

export interface Fixture {
  readonly dir: string;
  readonly meta: {
    fixtureVersion: number;
    model?: { path: string; sha256?: string };
  } & Record<string, unknown>;
  readonly golden: SafetensorsFile;
  /** The model directory the fixture refers to. */
  readonly modelDir: string;
  readonly adapterDir: string;
}

export function loadFixture(name: string): Fixture {
  const dir = join(FIXTURES_DIR, name);
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Fixture['meta'];
  if (meta.fixtureVersion !== FIXTURE_VERSION) {
    throw new Error(
      `${dir}/meta.json has fixtureVersion ${meta.fixtureVersion}, tests expect ${FIXTURE_VERSION}: regenerate`,
    );
  }
  const modelDir = meta.model ? resolve(REPO_ROOT, meta.model.path) : join(dir, 'model');
  if (meta.model?.sha256) {
    const weights = join(modelDir, 'model.safetensors');
    if (!existsSync(weights)) throw new Error(`fixture ${name} needs ${weights} (shared/ beside the repository)`);
    const sha = createHash('sha256').update(readFileSync(weights)).digest('hex');
    if (sha !== meta.model.sha256) throw new Error(`${weights} changed (sha256 ${sha}); regenerate the fixtures`);
  }
  return {
    dir,
    meta,
    golden: readSafetensors(join(dir, 'golden.safetensors')),
    modelDir,
    adapterDir: join(dir, 'adapter'),
  };
}

/** A golden tensor by key; throws when absent. */
export function golden(f: Fixture, key: string): { shape: number[]; data: Float32Array | Int32Array } {
  const t = f.golden.tensors.get(key);
  if (!t) throw new Error(`${f.dir}/golden.safetensors has no ${key}`);
  return t;
}
