import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_VARS, readEnv } from './env.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const REGISTRY = join(import.meta.dirname, 'env.ts');

/** The source files of the workspace's packages, pipelines and tooling, less this registry and the tests (which set
 * variables to test them). */
function sources(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'build', '.cache'].includes(entry.name)) walk(path);
      } else if (/\.(ts|mjs|js)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && path !== REGISTRY)
        files.push(path);
    }
  };
  for (const top of ['packages', 'pipelines', 'tooling']) walk(join(REPO_ROOT, top));
  return files;
}

describe('ENV_VARS', () => {
  const named = new Map<string, string>();
  for (const file of sources()) {
    for (const [name] of readFileSync(file, 'utf8').matchAll(/\bMETA_LORA_[A-Z0-9_]*[A-Z0-9]\b/g)) {
      if (!named.has(name)) named.set(name, file.slice(REPO_ROOT.length + 1));
    }
  }

  it('declares every META_LORA_* variable the sources name', () => {
    const undeclared = [...named].filter(([name]) => !(name in ENV_VARS)).map(([name, file]) => `${name} (${file})`);
    expect(undeclared).toEqual([]);
  });

  it('declares no variable the sources do not use', () => {
    expect(Object.keys(ENV_VARS).filter((name) => !named.has(name))).toEqual([]);
  });

  it('reads a variable from the environment it is given', () => {
    expect(readEnv('META_LORA_NATIVE', { META_LORA_NATIVE: '0' })).toBe('0');
    expect(readEnv('META_LORA_NATIVE', {})).toBeUndefined();
  });
});
