/**
 * Static SVG charts as strings: grouped bars with error bars, and line charts (linear or log₂ x axis) with optional
 * dashed horizontal reference lines. No scripts, no external fonts or styles; numbers are printed with fixed
 * precision so equal data gives byte-identical SVG.
 */

/** A colour-blind-safe palette (Okabe–Ito), then greys. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
  '#999999',
];

/** Escapes text for XML/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const n = (v: number) => (Math.round(v * 100) / 100).toString();

export interface BarSeries {
  readonly name: string;
  readonly color: string;
  /** One value per group; null draws no bar. */
  readonly values: readonly (number | null)[];
  /** Half-length of an error bar per group (e.g. std); null or 0 draws none. */
  readonly errors?: readonly (number | null)[];
}

export interface BarChartSpec {
  readonly title: string;
  readonly groups: readonly string[];
  readonly series: readonly BarSeries[];
  readonly yLabel: string;
  /** Top of the y axis (default: the largest value + error, rounded up). */
  readonly yMax?: number;
}

const W = 760;
const PAD = { left: 56, right: 16, top: 36, bottom: 64 };

/**
 * Grouped bar chart: one group per `groups` entry, one bar per series.
 *
 * @example
 * barChart({ title: 'Scores', groups: ['a', 'b'], yLabel: '%', series: [{ name: 'x', color: PALETTE[0], values: [50, 60] }] });
 */
export function barChart(spec: BarChartSpec): string {
  const legendRows = Math.ceil(spec.series.length / 3);
  const H = 320 + legendRows * 18;
  const plotH = 320 - PAD.top - PAD.bottom;
  const plotW = W - PAD.left - PAD.right;
  const top = Math.max(1e-9, ...spec.series.flatMap((s) => s.values.map((v, i) => (v ?? 0) + (s.errors?.[i] ?? 0))));
  const yMax = spec.yMax ?? niceCeil(top);
  const y = (v: number) => PAD.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const groupW = plotW / Math.max(1, spec.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, spec.series.length);
  const parts: string[] = [svgOpen(W, H, spec.title), title(spec.title), ...yAxis(yMax, y, spec.yLabel, plotW)];
  spec.groups.forEach((g, gi) => {
    const x0 = PAD.left + gi * groupW + groupW * 0.1;
    spec.series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === null || v === undefined) return;
      const x = x0 + si * barW;
      parts.push(
        `<rect class="bar" x="${n(x)}" y="${n(y(v))}" width="${n(barW * 0.92)}" height="${n(y(0) - y(v))}" fill="${s.color}"><title>${escapeXml(`${s.name} · ${g}: ${v.toFixed(1)}`)}</title></rect>`,
      );
      const e = s.errors?.[gi];
      if (e) {
        const cx = x + (barW * 0.92) / 2;
        parts.push(
          `<path class="error-bar" d="M${n(cx)} ${n(y(v - e))}V${n(y(v + e))}M${n(cx - 3)} ${n(y(v + e))}h6M${n(cx - 3)} ${n(y(v - e))}h6" stroke="#333" fill="none"/>`,
        );
      }
    });
    parts.push(
      `<text x="${n(PAD.left + gi * groupW + groupW / 2)}" y="${n(PAD.top + plotH + 16)}" text-anchor="middle" font-size="11">${escapeXml(truncate(g, Math.max(4, Math.floor(groupW / 7))))}</text>`,
    );
  });
  parts.push(...legend(spec.series, 320 - 20, false), '</svg>');
  return parts.join('\n');
}

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly { x: number; y: number; err?: number }[];
}

export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** Horizontal dashed lines (full-data baselines). */
  readonly references?: readonly { name: string; color: string; y: number }[];
  /** Log₂ x axis (k-sweeps). */
  readonly logX?: boolean;
  readonly yMin?: number;
  readonly yMax?: number;
}

/**
 * Line chart with markers (and error bars where points carry `err`).
 *
 * @example
 * lineChart({ title: 'k-sweep', xLabel: 'k', yLabel: '%', logX: true, series: [{ name: 'MeTA', color: PALETTE[0], points: [{ x: 4, y: 50 }] }] });
 */
export function lineChart(spec: LineChartSpec): string {
  const all = spec.series.flatMap((s) => s.points);
  const refs = spec.references ?? [];
  const legendItems = [...spec.series, ...refs];
  const legendRows = Math.ceil(legendItems.length / 3);
  const H = 320 + legendRows * 18;
  const plotH = 320 - PAD.top - PAD.bottom;
  const plotW = W - PAD.left - PAD.right;
  const fx = (v: number) => (spec.logX ? Math.log2(v) : v);
  const xs = all.map((p) => fx(p.x));
  let xMin = xs.length ? Math.min(...xs) : 0;
  let xMax = xs.length ? Math.max(...xs) : 1;
  if (xMax === xMin) {
    xMin -= 1;
    xMax += 1;
  }
  const ys = [...all.flatMap((p) => [p.y - (p.err ?? 0), p.y + (p.err ?? 0)]), ...refs.map((r) => r.y)];
  const yLo = spec.yMin ?? (ys.length ? Math.min(0, ...ys) : 0);
  const yHi = spec.yMax ?? niceCeil(ys.length ? Math.max(...ys) : 1);
  const span = yHi - yLo || 1;
  const X = (v: number) => PAD.left + ((fx(v) - xMin) / (xMax - xMin)) * plotW;
  const Y = (v: number) => PAD.top + plotH - ((v - yLo) / span) * plotH;
  const parts: string[] = [svgOpen(W, H, spec.title), title(spec.title)];
  parts.push(...yAxisRange(yLo, yHi, Y, spec.yLabel, plotW));
  const ticks = [...new Set(all.map((p) => p.x))].sort((a, b) => a - b);
  const shown = ticks.length > 10 ? ticks.filter((_, i) => i % Math.ceil(ticks.length / 8) === 0) : ticks;
  for (const t of shown) {
    parts.push(
      `<text x="${n(X(t))}" y="${n(PAD.top + plotH + 16)}" text-anchor="middle" font-size="11">${escapeXml(formatTick(t))}</text>`,
    );
  }
  parts.push(
    `<text x="${n(PAD.left + plotW / 2)}" y="${n(PAD.top + plotH + 34)}" text-anchor="middle" font-size="12">${escapeXml(spec.xLabel)}</text>`,
  );
  for (const r of refs) {
    parts.push(
      `<path class="reference" d="M${n(PAD.left)} ${n(Y(r.y))}H${n(PAD.left + plotW)}" stroke="${r.color}" stroke-dasharray="6 4" fill="none"><title>${escapeXml(`${r.name}: ${r.y.toFixed(2)}`)}</title></path>`,
    );
  }
  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(X(p.x))} ${n(Y(p.y))}`).join('');
    parts.push(`<path class="line" d="${d}" stroke="${s.color}" stroke-width="2" fill="none"/>`);
    if (s.points.length <= 40) {
      for (const p of s.points) {
        if (p.err) {
          parts.push(
            `<path class="error-bar" d="M${n(X(p.x))} ${n(Y(p.y - p.err))}V${n(Y(p.y + p.err))}" stroke="${s.color}" fill="none"/>`,
          );
        }
        parts.push(
          `<circle cx="${n(X(p.x))}" cy="${n(Y(p.y))}" r="3" fill="${s.color}"><title>${escapeXml(`${s.name} @ ${formatTick(p.x)}: ${p.y.toFixed(2)}`)}</title></circle>`,
        );
      }
    }
  }
  parts.push(...legend(legendItems, 320 - 12, true, refs.length), '</svg>');
  return parts.join('\n');
}

function svgOpen(w: number, h: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeXml(label)}" font-family="system-ui, sans-serif">`;
}

function title(text: string): string {
  return `<text x="${PAD.left}" y="20" font-size="14" font-weight="600">${escapeXml(text)}</text>`;
}

function yAxis(yMax: number, y: (v: number) => number, label: string, plotW: number): string[] {
  return yAxisRange(0, yMax, y, label, plotW);
}

function yAxisRange(lo: number, hi: number, y: (v: number) => number, label: string, plotW: number): string[] {
  const out: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    out.push(
      `<path class="grid" d="M${PAD.left} ${n(y(v))}H${n(PAD.left + plotW)}" stroke="#ddd" fill="none"/>`,
      `<text x="${PAD.left - 6}" y="${n(y(v) + 4)}" text-anchor="end" font-size="11">${escapeXml(formatTick(v))}</text>`,
    );
  }
  out.push(
    `<text transform="translate(14 ${n(PAD.top + (320 - PAD.top - PAD.bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(label)}</text>`,
  );
  return out;
}

function legend(
  items: readonly { name: string; color: string }[],
  y0: number,
  lines: boolean,
  dashedLast = 0,
): string[] {
  const out: string[] = [];
  const colW = (W - PAD.left) / 3;
  items.forEach((item, i) => {
    const x = PAD.left + (i % 3) * colW;
    const y = y0 + Math.floor(i / 3) * 18;
    const dashed = i >= items.length - dashedLast;
    out.push(
      lines
        ? `<path class="legend-key" d="M${n(x)} ${n(y - 4)}h16" stroke="${item.color}" stroke-width="2"${dashed ? ' stroke-dasharray="4 3"' : ''} fill="none"/>`
        : `<rect class="legend-key" x="${n(x)}" y="${n(y - 9)}" width="12" height="10" fill="${item.color}"/>`,
      `<text x="${n(x + 20)}" y="${n(y)}" font-size="11">${escapeXml(truncate(item.name, 40))}</text>`,
    );
  });
  return out;
}

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function formatTick(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
