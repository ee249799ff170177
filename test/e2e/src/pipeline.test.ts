/**
 * End to end through `turbo run pipeline` on the embedded default model: a copy of the `smoke` experiment runs every
 * stage, writes the typed artifacts and the report; a rerun is a full cache hit; an eval-only change reruns only
 * eval and report.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readArtifact, readArtifactInfo } from '@meta-lora/artifacts';
import { TasksArtifact } from '@meta-lora/data-sampling';
import { EvalResultsArtifact } from '@meta-lora/eval';
import { readPeftConfig } from '@meta-lora/lora-core';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const NAME = `e2e-${process.pid}`;
const EXP = join(ROOT, 'pipelines', 'experiments', NAME);
const RUN = join(ROOT, 'pipelines', 'runs', NAME);

function pipeline(): { log: string; hits: string[]; misses: string[] } {
  const log = execFileSync(
    join(ROOT, 'node_modules', '.bin', 'turbo'),
    ['run', 'pipeline', '--output-logs=hash-only'],
    {
      cwd: ROOT,
      env: { ...process.env, META_LORA_EXPERIMENT: NAME, FORCE_COLOR: '0', TURBO_TELEMETRY_DISABLED: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stage = (kind: string) =>
    [...log.matchAll(new RegExp(`pipelines:(\\w+): cache ${kind}`, 'g'))].map((m) => m[1]!);
  return { log, hits: stage('hit'), misses: stage('miss') };
}

describe('turbo run pipeline (smoke experiment)', () => {
  cpSync(join(ROOT, 'pipelines', 'experiments', 'smoke'), EXP, { recursive: true });
  afterAll(() => {
    rmSync(EXP, { recursive: true, force: true });
    rmSync(RUN, { recursive: true, force: true });
  });

  it('runs every stage and writes the artifacts and the report', { timeout: 900_000 }, () => {
    const { misses } = pipeline();
    expect(misses).toEqual(['data', 'train', 'adapt', 'eval', 'report', 'pipeline']);
    const tasks = readArtifact(join(RUN, 'data', 'tasks.arrow'), TasksArtifact);
    expect(new Set(tasks.rows.map((e) => e.taskId))).toEqual(new Set(['sentiment', 'plural', 'number-words']));
    for (const file of ['pool.arrow', 'episodes.arrow', 'usage.arrow']) {
      expect(readArtifactInfo(join(RUN, 'data', file)).lineage.parents.length).toBeGreaterThan(0);
    }
    expect(readPeftConfig(join(RUN, 'train', 'adapters', 'shared')).r).toBe(4);
    expect(existsSync(join(RUN, 'adapt', 'sentiment', 'adapter_model.safetensors'))).toBe(true);
    const results = readArtifact(join(RUN, 'eval', 'eval-results.arrow'), EvalResultsArtifact);
    expect(new Set(results.rows.map((r) => r.method)).size).toBe(7);
    expect(results.lineage.parents).toContain(tasks.lineage.artifactId);
    const html = readFileSync(join(RUN, 'report', 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(readFileSync(join(RUN, 'report', 'report.md'), 'utf8')).toMatch(/MeTA-LoRA/);
  });

  it('the smoke report renders in headless Chromium with drawn charts', { timeout: 120_000 }, async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(join(RUN, 'report', 'report.html')).href);
      // A string, because this repository type-checks without the DOM library.
      // Each chart's marks, and how many have a laid-out box (a score of 0 draws a zero-height bar).
      const charts = (await page.evaluate(
        `[...document.querySelectorAll('svg.chart')].map((svg) => { const marks = [...svg.querySelectorAll('rect.bar, path.line')]; return [marks.length, marks.filter((e) => e.getBoundingClientRect().width > 0).length]; })`,
      )) as [number, number][];
      expect(errors).toEqual([]);
      expect(charts.length).toBeGreaterThan(0);
      expect(charts.every(([marks]) => marks > 0)).toBe(true);
      expect(charts.some(([, drawn]) => drawn > 0)).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('a rerun with nothing changed is a full cache hit', { timeout: 120_000 }, () => {
    const { hits, misses } = pipeline();
    expect(misses).toEqual([]);
    expect(hits).toEqual(['data', 'train', 'adapt', 'eval', 'report', 'pipeline']);
  });

  it('an eval-only change reruns only eval and report', { timeout: 600_000 }, () => {
    const path = join(EXP, 'eval.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), maxTestExamplesPerTask: 4 }));
    const { hits, misses } = pipeline();
    expect(hits).toEqual(['data', 'train', 'adapt']);
    expect(misses).toEqual(['eval', 'report', 'pipeline']);
  });
});
