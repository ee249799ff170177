import { describe, expect, it } from 'vitest';
import { barChart, escapeXml, type LineChartSpec, lineChart, PALETTE } from './svg-charts.ts';

describe('barChart', () => {
  const svg = barChart({
    title: 'Scores <k=4>',
    groups: ['task-a', 'task-b'],
    yLabel: 'score (%)',
    series: [
      { name: 'A', color: PALETTE[0]!, values: [50, 60], errors: [2, 0] },
      { name: 'B', color: PALETTE[1]!, values: [40, null] },
    ],
  });

  it('draws one bar per non-null value and one error bar per non-zero error', () => {
    expect(svg.match(/class="bar"/g)).toHaveLength(3);
    expect(svg.match(/class="error-bar"/g)).toHaveLength(1);
  });

  it('makes bar heights proportional to values (bars in group order: A·a = 50, B·a = 40, A·b = 60)', () => {
    const heights = [...svg.matchAll(/class="bar"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights[1]! / heights[0]!).toBeCloseTo(40 / 50, 2);
    expect(heights[2]! / heights[0]!).toBeCloseTo(60 / 50, 2);
  });

  it('escapes text', () => {
    expect(svg).toContain('Scores &lt;k=4&gt;');
    expect(escapeXml(`a&"'`)).toBe('a&amp;&quot;&#39;');
  });
});

describe('lineChart', () => {
  /** A k-sweep: log₂ x axis. */
  const sweep = (spec: Pick<LineChartSpec, 'series' | 'references'>) =>
    lineChart({ title: 'k-sweep', xLabel: 'k', yLabel: '%', logX: true, ...spec });

  it('draws a path per series, a dashed path per reference and a marker per point', () => {
    const points = [
      { x: 4, y: 50, err: 1 },
      { x: 8, y: 60 },
    ];
    const svg = sweep({
      series: [{ name: 'MeTA', color: PALETTE[0]!, points }],
      references: [{ name: 'full', color: PALETTE[1]!, y: 70 }],
    });
    expect(svg.match(/class="line"/g)).toHaveLength(1);
    expect(svg.match(/class="reference"/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(2);
  });

  it('places log₂ x ticks evenly: k = 4, 8, 16 are equally spaced', () => {
    const svg = sweep({ series: [{ name: 's', color: '#000', points: [4, 8, 16].map((x) => ({ x, y: x })) }] });
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 1);
  });
});
