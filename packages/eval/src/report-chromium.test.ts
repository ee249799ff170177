/**
 * End-to-end: the HTML report opened in headless Chromium (Debian's `chromium`, driven by playwright-core) lays out
 * its SVG charts with real geometry, fetches nothing, and shows no error text.
 *
 * Skips, with a message, only where no Chromium is installed; with CI or META_LORA_REQUIRE_CHROMIUM set it fails
 * instead, so CI cannot pass without running it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeArtifact } from '@meta-lora/artifacts';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { EVAL_RESULTS_FILE, EvalResultsArtifact } from './results-artifact.ts';
import { syntheticRows } from './test-results.ts';
import { writeReport } from './write-report.ts';

const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => p !== undefined && p !== '' && existsSync(p),
);
const required = Boolean(process.env.CI || process.env.META_LORA_REQUIRE_CHROMIUM);
const SKIP_MESSAGE = 'chromium not installed (apt-get install -y chromium, or set CHROMIUM_PATH)';
if (!executablePath && !required) console.warn(`report-chromium.test.ts skipped: ${SKIP_MESSAGE}`);

interface PageStats {
  readonly answer: string;
  /** Tables wider than the page whose box does not scroll them (each must sit in a scrolling box). */
  readonly overflowing: number;
  readonly charts: { label: string; width: number; height: number; bars: number; lines: number; references: number }[];
  readonly tables: number;
  readonly text: string;
}

// Runs in the page (a string: this repository type-checks without the DOM library). Counts only drawn geometry:
// bars with a non-empty layout box and line paths of non-zero length.
const MEASURE = `(() => {
  const size = (e) => e.getBoundingClientRect();
  const pageWidth = document.documentElement.clientWidth;
  const scrolls = (t) => {
    for (let e = t.parentElement; e; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if ((o === 'auto' || o === 'scroll') && size(e).right <= pageWidth + 1) return true;
    }
    return false;
  };
  return {
    answer: (document.querySelector('p.answer') || { innerText: '' }).innerText,
    overflowing: [...document.querySelectorAll('table')].filter((t) => size(t).right > pageWidth + 1 && !scrolls(t)).length,
    charts: [...document.querySelectorAll('svg.chart')].map((svg) => ({
      label: svg.getAttribute('aria-label') || '',
      width: size(svg).width,
      height: size(svg).height,
      bars: [...svg.querySelectorAll('rect.bar')].filter((r) => size(r).height > 0 && size(r).width > 0).length,
      lines: [...svg.querySelectorAll('path.line')].filter((p) => p.getTotalLength() > 0).length,
      references: svg.querySelectorAll('path.reference').length,
    })),
    tables: document.querySelectorAll('table').length,
    text: document.body.innerText,
  };
})()`;

const root = mkdtempSync(join(tmpdir(), 'meta-lora-chromium-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!executablePath && !required)('report.html in headless Chromium', () => {
  it('renders every chart with content and loads nothing from outside', async () => {
    expect(executablePath, SKIP_MESSAGE).toBeDefined();
    const runDir = join(root, 'run');
    mkdirSync(join(runDir, 'meta'), { recursive: true });
    writeArtifact(join(runDir, EVAL_RESULTS_FILE), EvalResultsArtifact, syntheticRows(), {
      configHash: 'fixture',
      seed: null,
      parents: [],
      createdBy: 'test',
    });
    const log = Array.from({ length: 30 }, (_, i) => JSON.stringify({ iteration: i + 1, metaLoss: 3 / (i + 1) }));
    writeFileSync(join(runDir, 'meta', 'metrics.jsonl'), `${log.join('\n')}\n`);
    const { htmlPath } = writeReport(runDir);

    const browser = await chromium.launch({
      executablePath: executablePath!,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.setViewportSize({ width: 800, height: 900 }); // narrower than the wide score tables
      await page.goto(pathToFileURL(htmlPath).href);
      const stats = (await page.evaluate(MEASURE)) as PageStats;
      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(stats.charts).toHaveLength(4);
      for (const c of stats.charts) {
        expect(c.width, c.label).toBeGreaterThan(300);
        expect(c.height, c.label).toBeGreaterThan(200);
      }
      // Two bar charts (k = 4, 8) of 7 methods × 2 tasks; the k-sweep has 4 curves and 3 reference lines; one loss curve.
      expect(stats.charts.map((c) => c.bars)).toEqual([14, 14, 0, 0]);
      expect(stats.charts.map((c) => c.lines)).toEqual([0, 0, 4, 1]);
      expect(stats.charts[2]!.references).toBe(3);
      expect(stats.tables).toBeGreaterThanOrEqual(6);
      expect(stats.text).not.toMatch(/\bNaN\b|undefined|\berror\b/i);
      // The report opens with the answer, with numbers, and no table runs off the page without a scrollbar.
      expect(stats.answer).toMatch(/^MeTA-LoRA .* multi-task LoRA trained on the full data .*\d+\.\d/);
      expect(stats.overflowing).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
