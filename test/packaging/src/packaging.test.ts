/**
 * The packages as a user gets them: `pnpm pack` each publishable package, install the tarballs with plain npm into a
 * scratch project outside the workspace, and use them from there with no TypeScript compiler at run time: a plain
 * Node script through the public API (load a model directory, attach a LoRA adapter, a training step, save and reload
 * the PEFT adapter, a meta-iteration on a worker thread), a TypeScript user type-checked against the published types,
 * and the `meta-lora` bin. Then the release check: manifests, and `changeset version` + `pnpm publish -r --dry-run` in
 * a throwaway copy. Needs `pnpm build` first (`pnpm test` runs it) and the npm registry; everything it downloads or
 * writes stays in its temporary directory.
 */
import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestProblems, releaseDryRun } from './release-check.ts';
import { packAll, publishablePackages, ROOT, staleBuilds } from './workspace-packages.ts';

const MODEL_DIR = join(ROOT, 'models', 'meta-lora-base');
const CONSUMER = join(import.meta.dirname, '..', 'consumer');
const packages = publishablePackages();

/**
 * The environment of a user's shell: none of pnpm's `npm_*` settings (but the registry), no NODE_OPTIONS, no
 * workspace bin folders on PATH; npm's cache and node-gyp's headers inside the scratch project.
 */
function userEnv(scratch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toLowerCase().startsWith('npm_') && key.toLowerCase() !== 'npm_config_registry') continue;
    if (key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.startsWith(ROOT))
    .join(delimiter);
  env.npm_config_cache = join(scratch, '.npm-cache');
  env.npm_config_devdir = join(scratch, '.node-gyp');
  env.npm_config_update_notifier = 'false';
  // Node's own headers, where this node has them, spare node-gyp a download.
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  return env;
}

describe('the published packages, installed with npm outside the workspace', () => {
  let scratch = '';
  let run: (file: string, args: string[], options?: ExecFileSyncOptions) => string;

  beforeAll(() => {
    const stale = staleBuilds(packages);
    if (stale.length > 0) {
      throw new Error(`dist/ is missing or older than src/ in ${stale.join(', ')}: run \`pnpm build\` first`);
    }
    scratch = mkdtempSync(join(tmpdir(), 'meta-lora-packaging-'));
    const env = userEnv(scratch);
    run = (file, args, options = {}) => {
      try {
        return execFileSync(file, args, { cwd: scratch, env, encoding: 'utf8', stdio: 'pipe', ...options }) as string;
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${[file, ...args].join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
      }
    };
    const tarballs = packAll(packages, join(scratch, 'tarballs'));
    const dependencies = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
    const manifest = {
      name: 'meta-lora-user',
      private: true,
      type: 'module',
      dependencies,
      devDependencies: { '@types/node': '^20.19.0' },
      overrides: dependencies, // the tarballs, not the registry, for the packages' own dependencies on one another
    };
    writeFileSync(join(scratch, 'package.json'), JSON.stringify(manifest, null, 2));
    for (const file of readdirSync(CONSUMER)) copyFileSync(join(CONSUMER, file), join(scratch, file));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  }, 900_000);

  // Removing the scratch install (tens of thousands of files) took over the default 120 s hook timeout on a loaded VM.
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 600_000);

  it('installs built JavaScript with types and no TypeScript tooling', () => {
    for (const p of packages) {
      const dir = join(scratch, 'node_modules', p.name);
      expect(existsSync(join(dir, 'dist', 'index.js')), p.name).toBe(true);
      expect(existsSync(join(dir, 'dist', 'index.d.ts')), p.name).toBe(true);
    }
    expect(existsSync(join(scratch, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(scratch, 'node_modules', 'typescript'))).toBe(false);
  });

  it('builds the native addon from its sources on install, where the workspace could', () => {
    const addon = join('build', 'Release', 'native_blas.node');
    const installed = join(scratch, 'node_modules', '@meta-lora', 'native-blas');
    expect(existsSync(join(installed, 'binding.gyp'))).toBe(true);
    if (!existsSync(join(ROOT, 'packages', 'native-blas', addon))) return; // no compiler here: nothing to compare
    expect(existsSync(join(installed, addon))).toBe(true);
  });

  it('trains, saves and reloads an adapter, and runs a worker thread, from plain Node', { timeout: 300_000 }, () => {
    const out = run(process.execPath, ['use-api.mjs', MODEL_DIR, join(scratch, 'out')]);
    const result = JSON.parse(out.trim().split('\n').at(-1) as string);
    expect(result).toEqual({ losses: [expect.any(Number)], reloadedEqual: true, bMoved: true, metaTrained: true });
    expect(Number.isFinite(result.losses[0])).toBe(true);
  });

  it('type-checks a TypeScript user against the published types', { timeout: 300_000 }, () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      output = run(process.execPath, [tsc, '-p', 'tsconfig.json']);
    } catch (error) {
      output = (error as Error).message;
    }
    // tfjs's own declarations need @types/emscripten and long, which its users add or skip (skipLibCheck); every
    // other error, in the consumer or in a meta-lora declaration, fails the test.
    const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors.filter((line) => !line.startsWith('node_modules/@tensorflow/'))).toEqual([]);
  });

  it('runs `meta-lora --help` and `meta-lora generate` through npx', { timeout: 300_000 }, () => {
    expect(run('npx', ['meta-lora', '--help'])).toMatch(/usage: meta-lora <command>[\s\S]*generate/);
    const prompt = 'Review: a fine film\nSentiment:';
    const args = ['generate', '--model', MODEL_DIR, '--prompt', prompt, '--max-new-tokens', '4', '--greedy'];
    expect(run('npx', ['meta-lora', ...args])).toContain(prompt);
    expect(() => run('npx', ['meta-lora', 'generate', '--prompt', prompt])).toThrow(/pass --model DIR/);
  });
});

describe('the release check', () => {
  it('finds every manifest ready: README, LICENSE, repository, files, engines; the rest private', () => {
    expect(manifestProblems()).toEqual([]);
  });

  it('runs changeset version and pnpm publish -r --dry-run cleanly in a throwaway copy', { timeout: 300_000 }, () => {
    const result = releaseDryRun();
    const versions = new Set(result.versions.values());
    expect(versions.size, 'one version for the fixed group').toBe(1);
    expect([...versions][0]).not.toBe('0.0.0');
    expect([...result.changelogs.values()].every(Boolean)).toBe(true);
    expect(result.pendingChangesets).toEqual([]);
    for (const p of packages) expect(result.publishLog).toContain(p.name);
  });
});
