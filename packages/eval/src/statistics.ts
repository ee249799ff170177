/**
 * Small statistics for reporting: mean and sample standard deviation across seeds, and a paired comparison of two
 * methods over matched units (tasks): the mean paired difference, and the two-sided exact sign-test p-value
 * (ties dropped, as in the classic sign test: p = min(1, 2·P[X ≤ min(wins, losses)]) with X ~ Binomial(n, 1/2)).
 */

/**
 * @example
 * mean([1, 2, 3]); // 2
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * Sample standard deviation (n − 1 in the denominator); 0 for a single value, NaN for none.
 *
 * @example
 * sampleStd([1, 2, 3]); // 1
 */
export function sampleStd(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  if (values.length === 1) return 0;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

export interface PairedComparison {
  /** Matched pairs. */
  readonly n: number;
  /** mean(a − b). */
  readonly meanDifference: number;
  /** Pairs with a > b, a < b, a = b. */
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  /** Two-sided exact sign-test p-value (1 when every pair ties). */
  readonly signTestP: number;
}

/**
 * Compares paired scores `a[i]` vs `b[i]` (higher is better).
 *
 * @example
 * pairedComparison([0.9, 0.8, 0.7], [0.5, 0.6, 0.7]); // { meanDifference: 0.2, wins: 2, losses: 0, ties: 1, signTestP: 0.5, … }
 */
export function pairedComparison(a: readonly number[], b: readonly number[]): PairedComparison {
  const n = Math.min(a.length, b.length);
  const diffs: number[] = [];
  let wins = 0;
  let losses = 0;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    diffs.push(d);
    if (d > 0) wins++;
    else if (d < 0) losses++;
    else ties++;
  }
  return { n, meanDifference: mean(diffs), wins, losses, ties, signTestP: signTestP(wins, losses) };
}

/**
 * Two-sided exact sign-test p-value for `wins` successes and `losses` failures.
 *
 * @example
 * signTestP(5, 0); // 0.0625
 */
export function signTestP(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  const k = Math.min(wins, losses);
  // P[X <= k] for X ~ Bin(n, 1/2), in log space so n in the thousands stays finite.
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}
