/**
 * Finds whether a text contains any of many strings verbatim, in one pass: Rabin–Karp with one window length (the
 * shortest pattern, at most 64 code units). Every pattern is indexed by the hash of its first window; a window whose
 * hash hits is verified with `startsWith`. Memory stays linear in the patterns, so the corpus can drop every paragraph
 * that holds a task-suite example even when the suites give tens of thousands of them.
 */

const BASE = 0x01000193;

/** Matches texts against a fixed set of strings. */
export class ExclusionMatcher {
  private readonly window: number;
  private readonly byHash = new Map<number, string[]>();
  /** `BASE^(window-1)` mod 2^32, to drop the oldest code unit from a rolling hash. */
  private readonly topPower: number;
  /** Number of distinct non-empty patterns. */
  readonly size: number;

  /**
   * Indexes the patterns; empty strings are ignored (they would match everything).
   *
   * @example
   * new ExclusionMatcher(['the cat']).matches('see the cat run'); // true
   */
  constructor(patterns: Iterable<string>) {
    const distinct = [...new Set([...patterns].filter((p) => p.length > 0))];
    this.size = distinct.length;
    this.window = Math.min(64, ...distinct.map((p) => p.length));
    let power = 1;
    for (let i = 1; i < this.window; i++) power = Math.imul(power, BASE) >>> 0;
    this.topPower = power;
    for (const pattern of distinct) {
      const h = hashWindow(pattern, 0, this.window);
      const list = this.byHash.get(h);
      if (list) list.push(pattern);
      else this.byHash.set(h, [pattern]);
    }
  }

  /**
   * True when `text` contains at least one pattern.
   *
   * @example
   * new ExclusionMatcher(['abc', 'bcd']).matches('xbcdx'); // true
   */
  matches(text: string): boolean {
    const w = this.window;
    if (this.size === 0 || text.length < w) return false;
    let h = hashWindow(text, 0, w);
    for (let start = 0; ; start++) {
      const candidates = this.byHash.get(h);
      if (candidates?.some((p) => text.startsWith(p, start))) return true;
      if (start + w >= text.length) return false;
      h = (h - Math.imul(text.charCodeAt(start), this.topPower)) >>> 0;
      h = (Math.imul(h, BASE) + text.charCodeAt(start + w)) >>> 0;
    }
  }
}

function hashWindow(text: string, start: number, length: number): number {
  let h = 0;
  for (let i = start; i < start + length; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) >>> 0;
  return h;
}
