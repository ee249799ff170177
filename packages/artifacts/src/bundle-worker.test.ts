import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from './worker-pool.ts';

const BUNDLER = new URL('./bundle-worker.cjs', import.meta.url).pathname;
// A package of its own, outside the workspace.
const temporary = mkdtempSync(join(tmpdir(), 'bundle-worker-'));
writeFileSync(join(temporary, 'package.json'), JSON.stringify({ name: 'bundle-worker-test', type: 'module' }));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

/** Bundles `entry` for a run from source in a child process, as `WorkerPool` does; the bundle's path. */
function bundleSource(entry: string): string {
  const run = spawnSync(process.execPath, [BUNDLER, '--source', entry], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout.trim();
}

/** Runs a module that posts one message at start, and returns that message. */
function firstMessage(file: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(pathToFileURL(file));
    worker.once('message', (message) => void worker.terminate().then(() => resolve(message)));
    worker.once('error', reject);
  });
}

describe('bundle-worker', () => {
  it("gives a bundled module its source file's import.meta.url and carries its dependencies", async () => {
    const pool = WorkerPool.start<null, null, { url: string; arrow: boolean }>({
      module: new URL('./test-bundle-worker.ts', import.meta.url),
      init: null,
      size: 1,
      label: 'bundle test worker',
    });
    try {
      const [answer] = await pool.run([null]);
      expect(answer).toEqual({ url: new URL('./test-bundle-worker.ts', import.meta.url).href, arrow: true });
    } finally {
      await pool.close();
    }
  });

  it('bundles the sources as they are now: an edited module gives a new bundle that runs the new code', async () => {
    const entry = join(temporary, 'worker.ts');
    const answers: unknown[] = [];
    const files: string[] = [];
    for (const version of [1, 2]) {
      writeFileSync(entry, `import { parentPort } from 'node:worker_threads';\nparentPort!.postMessage(${version});\n`);
      const file = bundleSource(entry);
      files.push(file);
      answers.push(await firstMessage(file));
    }
    expect(answers).toEqual([1, 2]);
    expect(files[0]).not.toBe(files[1]);
    expect(readFileSync(files[1] as string, 'utf8')).toContain('postMessage(2)');
  });

  it('fails with the reason when the module does not bundle', () => {
    const entry = join(temporary, 'broken.ts');
    writeFileSync(entry, "import './missing.ts';\n");
    const run = spawnSync(process.execPath, [BUNDLER, '--source', entry], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('missing.ts');
  });
});
