/**
 * Seeded randomness. Every random choice in meta-lora takes an `Rng` that is passed in: never `Math.random`, never a
 * hidden global. The generator is sfc32 (Small Fast Counting, Doty-Humphrey), 128 bits of
 * state that serialise to four uint32 words, so checkpoints can save and restore it exactly.
 */

/** Serialisable generator state: four uint32 words. */
export type RngState = readonly [number, number, number, number];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(state: RngState) {
    [this.a, this.b, this.c, this.d] = state;
  }

  /**
   * A generator from an integer or string seed. Equal seeds give equal streams.
   *
   * @example
   * const rng = Rng.fromSeed(42); rng.next(); // a float in [0, 1)
   */
  static fromSeed(seed: number | string): Rng {
    // splitmix32 expands the seed into the 128-bit state.
    let h = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      h = (h + 0x9e3779b9) >>> 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      words.push((z ^ (z >>> 16)) >>> 0);
    }
    const rng = new Rng(words as unknown as RngState);
    for (let i = 0; i < 12; i++) rng.nextUint32(); // discard the warm-up outputs
    return rng;
  }

  /** Restores a generator saved with `state()`. */
  static fromState(state: RngState): Rng {
    return new Rng(state);
  }

  /** The current state; `Rng.fromState(rng.state())` continues the same stream. */
  state(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  /** A child generator whose stream depends on this one's state and `label`, without advancing this one. */
  fork(label: string | number): Rng {
    return Rng.fromSeed(`${this.a}:${this.b}:${this.c}:${this.d}:${label}`);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A new array with the items in a uniformly random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, k);
  }
}

/** FNV-1a over the UTF-16 code units of `text`, as a uint32. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
