import { describe, expect, it } from 'vitest';
import { renderReport } from './render-report.ts';
import { syntheticCells, syntheticExamples, syntheticRows } from './test-results.ts';

const curves = [
  {
    file: 'meta/metrics.jsonl',
    xLabel: 'iteration',
    series: [
      {
        name: 'metaLoss',
        points: [
          { x: 1, y: 2.5 },
          { x: 2, y: 2.1 },
        ],
      },
    ],
  },
];
const input = { rows: syntheticRows(), resultsId: 'a'.repeat(64), curves };
const { markdown, html } = renderReport(input);

describe('renderReport: Markdown', () => {
  it('has a score table per k with seed mean ± std', () => {
    expect(markdown).toContain('## Scores at k = 4');
    expect(markdown).toContain('## Scores at k = 8');
    // meta-lora-adapted, task-b, k = 8: seeds 75 and 77.
    expect(markdown).toMatch(
      /\| MeTA-LoRA shared \+ stage-1 adaptation, k = 8 \| 66\.0 ± 1\.4 \| 76\.0 ± 1\.4 \| 71\.0 \|/,
    );
  });

  it('compares MeTA-LoRA with each baseline, with the difference at each seed and the sign-test p-value', () => {
    expect(markdown).toContain(
      '| Multi-task LoRA (k-shot pool), k = 4 | 4 | 2 | +20.0 | n/a | s0 +20.0 / s1 +20.0 | 2 / 0 / 0 | 0.500 |',
    );
    // Full data is trained once per seed without k: its seed-s run is not paired with MeTA-LoRA's.
    expect(markdown).toContain('| Multi-task LoRA (full data) | 8 | 2 | -10.0 | n/a | — | 0 / 2 / 0 | 0.500 |');
  });

  it('has the k-sweep with full-data reference rows, the data used and the training curves', () => {
    expect(markdown).toContain('| Multi-task LoRA (full data) (reference) | 81.0 ± 1.4 | 81.0 ± 1.4 |');
    expect(markdown).toContain('| Single-task LoRA (full data) | 100 / 1200 | 100 / 1200 |');
    expect(markdown).toContain('| meta/metrics.jsonl | metaLoss | 2 | 2.5000 | 2.1000 |');
  });

  it('gives a k-sweep point of one seed (an interim study) without a std', () => {
    const oneSeedAtK8 = syntheticRows().filter((r) => r.k !== 8 || r.seed === 0);
    const { markdown: interim } = renderReport({ ...input, rows: oneSeedAtK8 });
    const row = interim.split('\n').find((l) => l.startsWith('| MeTA-LoRA shared + stage-1 adaptation |'));
    // k = 4 has both seeds (66.0 ± 1.4); k = 8 has seed 0 alone: no "± 0.0"
    expect(row).toMatch(/^\| MeTA-LoRA shared \+ stage-1 adaptation \| 66\.0 ± 1\.4 \| \d+\.\d \|$/);
  });
});

describe('renderReport: HTML', () => {
  it('is self-contained: no scripts, no external resources', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|@import|url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('holds the charts: bars per k, the k-sweep and the loss curves', () => {
    expect(html.match(/<svg /g)).toHaveLength(2 + 1 + 1);
    // At each k: 4 k-shot methods at k + 3 methods without k, 2 tasks each.
    expect(html.match(/class="bar"/g)).toHaveLength(2 * 7 * 2);
    expect(html.match(/class="reference"/g)).toHaveLength(3);
  });

  it('draws per-task training curves in a chart of their own', () => {
    const perTask = { name: 'queryLossAfter (task-a)', points: [{ x: 1, y: 2 }] };
    const withTasks = [{ ...curves[0]!, series: [...curves[0]!.series, perTask] }];
    const out = renderReport({ ...input, curves: withTasks }).html;
    expect(out.match(/<svg /g)).toHaveLength(2 + 1 + 2);
    expect(out).toContain('Per-task curves: meta/metrics.jsonl');
  });

  it('shows a notice under the title, escaped, in both formats', () => {
    const out = renderReport({ ...input, notice: 'Interim: 1 of 2 cells <k8>' });
    expect(out.markdown.split('\n').slice(0, 4)).toEqual([
      '# MeTA-LoRA evaluation report',
      '',
      '> Interim: 1 of 2 cells <k8>',
      '',
    ]);
    expect(out.html).toContain(
      '<h1>MeTA-LoRA evaluation report</h1>\n<p class="notice">Interim: 1 of 2 cells &lt;k8&gt;</p>',
    );
    expect(markdown).not.toMatch(/^> /m);
  });

  it('is deterministic', () => {
    expect(renderReport(input)).toEqual({ markdown, html });
  });
});

describe('renderReport: uncertainty, data trained on and sanity checks', () => {
  const failing = {
    k: 4,
    seed: 0,
    baselines: [{ method: 'single-task' as const, taskId: 'task-b', lossFirst: 2, lossLast: 2.5 }],
    metaIterations: [
      { iteration: 0, queryLossAfter: 3 },
      { iteration: 1, queryLossAfter: 2 },
    ],
    adaptation: [{ taskId: 'task-a', examples: 4, supportLossBefore: 3, supportLossAfter: 2 }],
  };
  const full = renderReport({
    ...input,
    cells: syntheticCells(),
    examples: syntheticExamples(),
    sanity: [failing],
    bootstrap: { replicates: 200 },
  }).markdown;

  it('gives each comparison its bootstrap interval, and says when there are none', () => {
    expect(full).toMatch(
      /\| Multi-task LoRA \(k-shot pool\), k = 4 \| 4 \| 2 \| \+20\.0 \| \[\+\d+\.\d, \+\d+\.\d\] \|/,
    );
    expect(full).toContain('paired bootstrap over tasks × test examples (200 replicates, seed 0)');
    expect(markdown).toContain('Intervals unavailable');
  });

  it('checks each full-data baseline against zero-shot, with its interval', () => {
    expect(full).toContain('## Full-data baselines vs zero-shot');
    expect(full).toMatch(/\| Multi-task LoRA \(full data\) \| 2 \| \+55\.0 \| \[\+\d+\.\d, \+\d+\.\d\] \|/);
  });

  it('shows the majority-class rate under the scores and what each method trained on', () => {
    expect(full).toContain('| Majority class (test labels) | 64.0 | — | — |');
    // Multi-task LoRA: one total over the tasks (100 of the 200 examples it had access to); the base model none.
    expect(full).toContain('| Multi-task LoRA (full data) | — | — | 100 / 1200 | 200 / 2400 | 50.0 % |');
    expect(full).toContain('| Base, in-context (k demos), k = 4 | 0 / 0 | 0 / 0 | 0 / 0 | 8 / 96 | 0.0 % |');
    expect(markdown).toContain('Unavailable: these results have no eval-cells artifact');
  });

  it('lists every sanity check and flags the cells of the failed ones', () => {
    expect(full).toContain('1 sanity check FAIL');
    expect(full).toContain(
      '| train-loss-falls | 4 | 0 | Single-task LoRA (full data) | task-b | 2.000 → 2.500 | FAIL ⚠ |',
    );
    expect(full).toContain('| adaptation-lowers-support-loss | 4 | 0 |');
    // Single-task LoRA on task-b (seeds 80, 82) is flagged in every score table; task-a is not.
    expect(full).toContain('| Single-task LoRA (full data) | 71.0 ± 1.4 | 81.0 ± 1.4 ⚠ | 76.0 |');
  });
});

describe('renderReport: against another study', () => {
  const against = { name: 'earlier', rows: syntheticRows(), examples: syntheticExamples() };
  const withAgainst = renderReport({ ...input, examples: syntheticExamples(), bootstrap: { replicates: 50 }, against });

  it('adds the section after the comparisons, in Markdown and HTML', () => {
    const md = withAgainst.markdown;
    expect(md).toContain('## Against the earlier study');
    expect(md.indexOf('## Against the earlier study')).toBeGreaterThan(md.indexOf('## MeTA-LoRA shared + stage-1'));
    // The same results on both sides: every method equals itself there, at every seed.
    expect(md).toContain(
      '| MeTA-LoRA shared + stage-1 adaptation, k = 8 | MeTA-LoRA shared + stage-1 adaptation, k = 8 | 71.0 ± 1.4 | 71.0 ± 1.4 | 2 | +0.0 | [+0.0, +0.0] | s0 +0.0 / s1 +0.0 | 0 / 0 / 2 | 1.000 |',
    );
    expect(withAgainst.html).toContain('<h2>Against the earlier study</h2>');
  });

  it('gives here minus there, not the reverse', () => {
    // The other study's MeTA-LoRA adapted scored 10 points higher on every task and seed.
    const higher = syntheticRows().map((r) => (r.method === 'meta-lora-adapted' ? { ...r, score: r.score + 10 } : r));
    const r = renderReport({
      ...input,
      examples: syntheticExamples(),
      bootstrap: { replicates: 50 },
      against: { name: 'earlier', rows: higher, examples: syntheticExamples(higher) },
    });
    const label = 'MeTA-LoRA shared + stage-1 adaptation, k = 4';
    const row = r.markdown.split('\n').find((l) => l.startsWith(`| ${label} | ${label} |`));
    expect(row).toContain('| 66.0 ± 1.4 | 76.0 ± 1.4 | 2 | -10.0 | [-13.3, -6.4] | s0 -10.0 / s1 -10.0 |');
  });

  it('leaves the section out without another study', () => {
    expect(markdown).not.toContain('Against the');
  });
});
