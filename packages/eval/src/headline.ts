/**
 * The sentence a report opens with: does MeTA-LoRA match multi-task LoRA trained on the full data in this run? Judged
 * by the paired bootstrap interval of MeTA-LoRA minus full-data multi-task LoRA (docs/protocol.md): it "matches or
 * beats" where the interval's upper end reaches 0, and the crossover is the smallest k where it does.
 */
import { METHOD_LABELS } from './conditions.ts';
import { methodLabel } from './report-tables.ts';
import type { ComparisonSummary, ResultsSummary } from './summarize.ts';

const FULL = 'multi-task-lora-full';

const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;

/** The macro-average score of `method` at k (mean over seeds), from the sweep or the reference lines. */
function macro(s: ResultsSummary, method: string, k: number | undefined): number | undefined {
  if (k === undefined) return s.references.find((r) => r.method === method)?.mean;
  return s.sweep.find((c) => c.method === method)?.points.find((p) => p.k === k)?.mean;
}

function describe(c: ComparisonSummary): string {
  const ci = c.interval
    ? `, 95 % CI [${pts(c.interval.low)}, ${pts(c.interval.high)}]`
    : ' (no interval: per-example results missing)';
  return `${pts(c.meanDifference)} points${ci}`;
}

/**
 * One or two sentences with the numbers; null when the run has no MeTA-LoRA or no full-data multi-task LoRA.
 *
 * @example
 * headline(summarizeResults(rows, { examples })); // 'MeTA-LoRA does not match … at k = 16: 26.5 vs 40.6 …'
 */
export function headline(s: ResultsSummary): string | null {
  const vsFull = s.comparisons.filter((c) => c.baseline === FULL && c.k !== undefined).sort((a, b) => a.k! - b.k!);
  if (vsFull.length === 0) return null;
  const ref = vsFull[0]!.reference;
  const name = METHOD_LABELS[ref];
  const reaches = (c: ComparisonSummary) => (c.interval ? c.interval.high >= 0 : c.meanDifference >= 0);
  const full = macro(s, FULL, undefined);
  const score = (c: ComparisonSummary) =>
    `${macro(s, ref, c.k)?.toFixed(1) ?? '?'} vs ${full?.toFixed(1) ?? '?'} for ${methodLabel(FULL, undefined)}`;
  const seeds = `${s.seeds.length} seed${s.seeds.length > 1 ? 's' : ''}`;
  if (vsFull.length === 1) {
    const c = vsFull[0]!;
    const verdict = reaches(c) ? 'matches or beats' : 'does not match';
    return `${name} ${verdict} multi-task LoRA trained on the full data in this run (k = ${c.k}, ${seeds}): mean score ${score(c)}, a difference of ${describe(c)}.`;
  }
  const first = vsFull.find(reaches);
  const last = vsFull.at(-1)!;
  if (!first) {
    return `${name} does not match multi-task LoRA trained on the full data at any k ≤ ${last.k} (${seeds}): at k = ${last.k} it scores ${score(last)}, a difference of ${describe(last)}.`;
  }
  return `${name} first matches multi-task LoRA trained on the full data at k = ${first.k} (${seeds}): mean score ${score(first)}, a difference of ${describe(first)}.`;
}
