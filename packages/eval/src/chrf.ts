/**
 * chrF: character n-gram F-score (Popović, WMT 2015), computed as sacreBLEU 2.x's `CHRF` does. Defaults are
 * sacreBLEU's: character orders 1…6, no word n-grams, β = 2, whitespace removed before n-gram extraction, no
 * epsilon smoothing (the average precision and recall run over the "effective" orders where both sides have n-grams).
 *
 * Statistics per order n are (hypothesis n-grams, reference n-grams, clipped matches). A corpus score sums them over
 * all segments first, then computes one F-score — it is not the mean of sentence scores. Scores are in [0, 100].
 */
import { MetaLoraError } from '@meta-lora/artifacts';

export interface ChrfOptions {
  /** Largest character n-gram order (sacreBLEU `char_order`, default 6). */
  readonly charOrder?: number;
  /** Recall weight β (default 2). */
  readonly beta?: number;
  /** Keep whitespace inside n-grams (sacreBLEU `whitespace`, default false). */
  readonly keepWhitespace?: boolean;
  /** sacreBLEU `eps_smoothing`: average per-order F-scores (chrF++.py / NLTK style) instead of P and R (default false). */
  readonly epsSmoothing?: boolean;
}

const EPS = 1e-16;

/** Per-order counts `[hyp, ref, match]` for one segment (orders 1…charOrder, flattened). */
export function chrfStatistics(hypothesis: string, reference: string, options: ChrfOptions = {}): number[] {
  const order = options.charOrder ?? 6;
  const prep = (s: string) => (options.keepWhitespace ? s : s.replace(/\s+/gu, ''));
  // Code points, not UTF-16 units: an astral character is one character, as in Python.
  const hyp = [...prep(hypothesis)];
  const ref = [...prep(reference)];
  const stats: number[] = [];
  for (let n = 1; n <= order; n++) {
    const h = ngrams(hyp, n);
    const r = ngrams(ref, n);
    let match = 0;
    for (const [gram, count] of h) match += Math.min(count, r.get(gram) ?? 0);
    stats.push(Math.max(hyp.length - n + 1, 0), Math.max(ref.length - n + 1, 0), match);
  }
  return stats;
}

function ngrams(chars: readonly string[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= chars.length; i++) {
    const gram = chars.slice(i, i + n).join('');
    out.set(gram, (out.get(gram) ?? 0) + 1);
  }
  return out;
}

/** The chrF score (0…100) of summed statistics (`chrfStatistics` of each segment, added elementwise). */
export function chrfFromStatistics(stats: ArrayLike<number>, options: ChrfOptions = {}): number {
  const order = options.charOrder ?? 6;
  const factor = (options.beta ?? 2) ** 2;
  let sumF = 0;
  let avgP = 0;
  let avgR = 0;
  let effective = 0;
  for (let i = 0; i < order; i++) {
    const nHyp = stats[3 * i] ?? 0;
    const nRef = stats[3 * i + 1] ?? 0;
    const nMatch = stats[3 * i + 2] ?? 0;
    const p = nHyp > 0 ? nMatch / nHyp : EPS;
    const r = nRef > 0 ? nMatch / nRef : EPS;
    const denom = factor * p + r;
    sumF += denom > 0 ? ((1 + factor) * p * r) / denom : EPS;
    if (nHyp > 0 && nRef > 0) {
      avgP += p;
      avgR += r;
      effective++;
    }
  }
  if (options.epsSmoothing) return (100 * sumF) / order;
  if (effective === 0) return 0;
  avgP /= effective;
  avgR /= effective;
  if (avgP + avgR === 0) return 0;
  return (100 * ((1 + factor) * avgP * avgR)) / (factor * avgP + avgR);
}

/**
 * Sentence-level chrF of one hypothesis against one reference.
 *
 * @example
 * sentenceChrf('a b c', 'abc'); // 100 (whitespace is removed)
 */
export function sentenceChrf(hypothesis: string, reference: string, options: ChrfOptions = {}): number {
  return chrfFromStatistics(chrfStatistics(hypothesis, reference, options), options);
}

/**
 * Corpus-level chrF: statistics summed over all segments, then one score.
 *
 * @example
 * corpusChrf(['a', 'b'], ['a', 'c']); // 50
 */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly string[],
  options: ChrfOptions = {},
): number {
  if (hypotheses.length !== references.length) {
    throw new MetaLoraError(
      'SHAPE_MISMATCH',
      `corpusChrf: ${hypotheses.length} hypotheses but ${references.length} references`,
      { field: 'references', value: references.length, fix: 'pass one reference per hypothesis' },
    );
  }
  const total = new Array<number>(3 * (options.charOrder ?? 6)).fill(0);
  hypotheses.forEach((hyp, i) => {
    chrfStatistics(hyp, references[i] ?? '', options).forEach((v, j) => {
      total[j] = (total[j] as number) + v;
    });
  });
  return chrfFromStatistics(total, options);
}
