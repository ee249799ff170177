import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetaLoraError } from '@meta-lora/artifacts';
import { initBackend, loadPeftAdapter } from '@meta-lora/lora-core';
import { loadModelSource } from '@meta-lora/stage1-adapt';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { parseMetaConfig } from './config.ts';
import { readLatestMetaCheckpoint } from './meta-checkpoint.ts';
import { metaTrain } from './meta-train.ts';
import { CHILD_CONFIG, CHILD_EPISODES, CHILD_SOURCE, trainChildRun } from './test-child-config.ts';
import { syntheticEpisodes } from './test-tasks.ts';

await initBackend({ quiet: true });

const here = dirname(fileURLToPath(import.meta.url));
const tmp = () => tempDir('meta-resume');
const weights = (runDir: string) => readFileSync(join(runDir, 'adapters', 'shared', 'adapter_model.safetensors'));

function child(runDir: string) {
  return spawn(
    process.execPath,
    ['--conditions=@meta-lora/source', '--import', 'tsx', join(here, 'test-child.ts'), runDir],
    {
      cwd: here,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}

function exited(
  proc: ReturnType<typeof child>,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = '';
  proc.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  return new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('resume', () => {
  it('a run killed with SIGKILL and resumed ends with the same adapter bytes as an uninterrupted run', async () => {
    const reference = tmp();
    await trainChildRun(reference);
    const runDir = tmp();
    const proc = child(runDir);
    const done = exited(proc);
    // Kill once a few checkpoints exist, mid-run.
    for (;;) {
      const latest = existsSync(join(runDir, 'checkpoints', 'latest')) ? readLatestMetaCheckpoint(runDir) : null;
      if (latest && latest.state.nextIteration >= 4) break;
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    proc.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal, `the child finished before it could be killed: ${killed.stderr}`).toBe('SIGKILL');
    const at = readLatestMetaCheckpoint(runDir)!.state.nextIteration;
    expect(at).toBeLessThan(CHILD_EPISODES.length);
    const resumed = await trainChildRun(runDir, true);
    expect(resumed.iterationsRun).toBe(CHILD_EPISODES.length - at);
    expect(weights(runDir).equals(weights(reference))).toBe(true);
    expect(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')).toBe(
      readFileSync(join(reference, 'metrics.jsonl'), 'utf8'),
    );
  });

  it('refuses to resume a run directory trained with a different config, naming the field', async () => {
    const runDir = tmp();
    const { model, fingerprint } = await loadModelSource(CHILD_SOURCE);
    const episodes = CHILD_EPISODES.slice(0, 2);
    const base = { model, modelSource: CHILD_SOURCE, fingerprint, episodes, runDir, progress: false };
    (await metaTrain({ ...base, config: CHILD_CONFIG })).shared.dispose();
    const other = parseMetaConfig({ ...CHILD_CONFIG, metaLr: 0.5 });
    const error = await metaTrain({ ...base, config: other, resume: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaLoraError);
    expect((error as MetaLoraError).code).toBe('CONFIG_INVALID');
    expect((error as MetaLoraError).message).toMatch(/cannot resume.*different config.*metaLr/);
    model.dispose();
  });

  it('refuses to resume over a damaged config.json with CONFIG_INVALID naming the file and the line', async () => {
    const runDir = tmp();
    const { model, fingerprint } = await loadModelSource(CHILD_SOURCE);
    writeFileSync(join(runDir, 'config.json'), '{\n  "runHash": \n');
    const error = await metaTrain({
      model,
      modelSource: CHILD_SOURCE,
      fingerprint,
      episodes: CHILD_EPISODES.slice(0, 2),
      runDir,
      progress: false,
      config: CHILD_CONFIG,
      resume: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaLoraError);
    expect((error as MetaLoraError).code).toBe('CONFIG_INVALID');
    expect((error as MetaLoraError).message).toMatch(/config\.json:line 3: the run's config\.json is not valid JSON/);
    model.dispose();
  });

  it('stops on a non-finite loss with a clear message and keeps the last good checkpoint loadable', async () => {
    const runDir = tmp();
    const { model, fingerprint } = await loadModelSource(CHILD_SOURCE);
    const config = parseMetaConfig({
      ...CHILD_CONFIG,
      metaLr: 1e30, // the first meta-step sends θ to ~1e30, so the next losses overflow
      metaClipGradNorm: null,
      checkpointEvery: 1,
    });
    const episodes = syntheticEpisodes(6, { numTasks: 4, tasksPerBatch: 2, support: 3, query: 3, seed: 5 });
    const error = await metaTrain({
      model,
      modelSource: CHILD_SOURCE,
      fingerprint,
      config,
      episodes,
      runDir,
      progress: false,
    }).catch((e: unknown) => e);
    expect((error as MetaLoraError).code).toBe('NOT_FINITE');
    expect((error as MetaLoraError).message).toMatch(/stopped at iteration \d+: .*last good checkpoint is .*iter-/);
    const latest = readLatestMetaCheckpoint(runDir)!;
    loadPeftAdapter(join(latest.dir, 'adapter'), model, 'check').dispose();
    model.dispose();
  });
});
