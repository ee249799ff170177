/**
 * The native-backend path of `initBackend`, with stand-in `@tensorflow/tfjs-node(-gpu)` packages installed in a temp
 * project directory (the real ones need libtensorflow). A separate file because it needs a fresh TF.js engine: once a
 * backend is up, `auto` keeps it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_ENV, initBackend } from './backend.ts';
import { tf } from './tf.ts';

const require = createRequire(import.meta.url);
const real = (pkg: string) => {
  try {
    return require.resolve(pkg);
  } catch {
    return undefined;
  }
};
const nativeInstalled = real('@tensorflow/tfjs-node') !== undefined || real('@tensorflow/tfjs-node-gpu') !== undefined;

const root = mkdtempSync(join(tmpdir(), 'meta-lora-backend-'));
const cwd = process.cwd();
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  process.chdir(cwd);
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A project dir with a fake package whose main runs `body` (CommonJS). */
function project(name: string, packages: Record<string, string>): string {
  const dir = join(root, name);
  for (const [pkg, body] of Object.entries(packages)) {
    const pkgDir = join(dir, 'node_modules', ...pkg.split('/'));
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: pkg, version: '4.22.0', main: 'index.js' }));
    writeFileSync(join(pkgDir, 'index.js'), body);
  }
  return dir;
}

// Registers a "tensorflow" backend on meta-lora's tfjs-core instance, as tfjs-node does (backed by the cpu class).
const registersTensorflow = `
const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-core'))});
const { MathBackendCPU } = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-backend-cpu'))});
tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
`;

describe.skipIf(nativeInstalled)('initBackend with a native backend installed by the user', () => {
  it('forced tensorflow reports a package that is installed but fails to load', async () => {
    process.chdir(
      project('broken', { '@tensorflow/tfjs-node-gpu': "throw new Error('libcudart.so.11.0: cannot open');" }),
    );
    vi.stubEnv(BACKEND_ENV, 'tensorflow');
    const error = await initBackend({ quiet: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MetaLoraError);
    expect((error as MetaLoraError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as Error).message).toMatch(
      /@tensorflow\/tfjs-node-gpu: installed at .* but failed to load: .*libcudart/,
    );
    expect((error as Error).message).toContain('@tensorflow/tfjs-node: not installed');
  });

  it('auto skips the broken GPU package and picks tfjs-node when it loads', async () => {
    process.chdir(
      project('working', {
        '@tensorflow/tfjs-node-gpu': "throw new Error('no CUDA');",
        '@tensorflow/tfjs-node': registersTensorflow,
      }),
    );
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const info = await initBackend();
    expect(info).toMatchObject({ name: 'tensorflow', source: '@tensorflow/tfjs-node 4.22.0', requested: 'auto' });
    expect(String(write.mock.calls[0]?.[0])).toMatch(/"tensorflow".*skipped @tensorflow\/tfjs-node-gpu: .*no CUDA/);
    expect(tf.getBackend()).toBe('tensorflow');
  });
});
