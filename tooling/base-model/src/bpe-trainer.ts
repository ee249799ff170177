/**
 * Byte-level BPE training (Sennrich et al. 2016, as GPT-2 and HF `tokenizers`' `BpeTrainer` run it): start from the
 * 256 byte symbols, then repeatedly merge the most frequent adjacent pair inside pre-tokens until the vocabulary has
 * the requested size.
 *
 * Efficiency: training works on a word-frequency table (each distinct pre-token once, with its count), keeps pair
 * counts and, per pair, the words it occurs in, and after each merge updates only the words that contain the merged
 * pair. A max-heap with lazy deletion finds the next pair. Ties break on the smaller pair of symbol ids (left, then
 * right), so equal corpora give byte-identical merges whatever order the words arrived in.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import { BYTE_TO_CHAR, fromByteLevel, preTokenize } from './byte-level.ts';

/** A trained byte-level BPE: token strings are spelled in GPT-2 byte characters. */
export interface BpeModel {
  /** Added special tokens; they take ids `0..specialTokens.length-1`, in this order. */
  readonly specialTokens: readonly string[];
  /** Every non-special token by id offset: index `i` is token id `specialTokens.length + i`. Bytes come first. */
  readonly tokens: readonly string[];
  /** Merges in rank order, as pairs of token strings. */
  readonly merges: readonly (readonly [string, string])[];
}

export interface TrainBpeOptions {
  /** Final vocabulary size, special tokens and the 256 byte tokens included. */
  readonly vocabSize: number;
  /** Special tokens, given ids 0.. in order. */
  readonly specialTokens: readonly string[];
  /** Stop early when the best pair occurs fewer times than this. Default 2 (HF's `min_frequency` at least 2). */
  readonly minFrequency?: number;
  /** Called every `progressEvery` merges with the number done so far. */
  readonly onProgress?: (mergesDone: number, mergesWanted: number) => void;
  readonly progressEvery?: number;
}

/** Pair key: `left * KEY + right`; ids stay below 2^16, so keys are exact doubles ordered by (left, right). */
const KEY = 65536;

/**
 * Adds the GPT-2 pre-tokens of `text` to a word-frequency table (keys spelled in byte characters).
 *
 * @example
 * const counts = new Map<string, number>();
 * countWords('the cat the', counts); // Map { 'the' => 1, 'Ġcat' => 1, 'Ġthe' => 1 }
 */
export function countWords(text: string, counts: Map<string, number>): Map<string, number> {
  for (const word of preTokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/**
 * Trains a byte-level BPE on a word-frequency table.
 *
 * @example
 * const counts = countWords('low lower lowest', new Map());
 * const model = trainBpe(counts, { vocabSize: 260, specialTokens: ['<|endoftext|>'] });
 * model.merges[0]; // ['l', 'o']
 */
export function trainBpe(wordCounts: ReadonlyMap<string, number>, options: TrainBpeOptions): BpeModel {
  const { vocabSize, specialTokens } = options;
  const minFrequency = options.minFrequency ?? 2;
  const base = 256 + specialTokens.length;
  if (!Number.isInteger(vocabSize) || vocabSize < base || vocabSize > KEY) {
    throw new MetaLoraError('CONFIG_INVALID', `vocabSize must be an integer in [${base}, ${KEY}], got ${vocabSize}`, {
      field: 'vocabSize',
      value: vocabSize,
      fix: `use at least 256 bytes + ${specialTokens.length} special tokens`,
    });
  }

  // Symbols are internal ids: bytes 0..255, then merged tokens. Output ids add specialTokens.length.
  const tokens: string[] = BYTE_TO_CHAR.slice();
  const tokenIds = new Map<string, number>(tokens.map((t, i) => [t, i]));
  const words: Int32Array[] = [];
  const freqs: number[] = [];
  for (const [word, count] of wordCounts) {
    const bytes = fromByteLevel(word);
    if (bytes === undefined || bytes.length === 0) {
      throw new MetaLoraError('DATA_INVALID', `word-count key ${JSON.stringify(word)} is not byte-level text`, {
        value: word,
        fix: 'build the table with countWords()',
      });
    }
    words.push(Int32Array.from(bytes));
    freqs.push(count);
  }

  const pairCounts = new Map<number, number>();
  const where = new Map<number, number[]>();
  const addWhere = (key: number, w: number) => {
    const list = where.get(key);
    if (list === undefined) where.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  for (let w = 0; w < words.length; w++) {
    const word = words[w] as Int32Array;
    const f = freqs[w] as number;
    for (let j = 0; j + 1 < word.length; j++) {
      const key = (word[j] as number) * KEY + (word[j + 1] as number);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + f);
      addWhere(key, w);
    }
  }
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);

  const wanted = vocabSize - specialTokens.length;
  const mergesWanted = wanted - 256;
  const merges: [string, string][] = [];
  const merged = new Set<number>();
  const seen = new Int32Array(words.length).fill(-1);
  const progressEvery = options.progressEvery ?? 256;
  let step = 0;
  while (tokens.length < wanted) {
    const top = heap.popValid(pairCounts);
    if (top === undefined || top.count < minFrequency) break;
    const key = top.key;
    const left = Math.floor(key / KEY);
    const right = key % KEY;
    const text = (tokens[left] as string) + (tokens[right] as string);
    let id = tokenIds.get(text);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(text);
      tokenIds.set(text, id);
    }
    // A pair can reappear after a merge re-creates an existing token; its first rank already covers it.
    if (!merged.has(key)) {
      merged.add(key);
      merges.push([tokens[left] as string, tokens[right] as string]);
    }
    pairCounts.delete(key);
    const affected = where.get(key) ?? [];
    where.delete(key);
    const delta = new Map<number, number>();
    for (const w of affected) {
      if (seen[w] === step) continue;
      seen[w] = step;
      const word = words[w] as Int32Array;
      const next = mergeWord(word, left, right, id);
      if (next === word) continue; // stale entry: the pair left this word in an earlier merge
      const f = freqs[w] as number;
      for (let j = 0; j + 1 < word.length; j++) {
        const k = (word[j] as number) * KEY + (word[j + 1] as number);
        if (k !== key) delta.set(k, (delta.get(k) ?? 0) - f);
      }
      for (let j = 0; j + 1 < next.length; j++) {
        const a = next[j] as number;
        const b = next[j + 1] as number;
        const k = a * KEY + b;
        delta.set(k, (delta.get(k) ?? 0) + f);
        if (a === id || b === id) addWhere(k, w);
      }
      words[w] = next;
    }
    for (const [k, d] of delta) {
      if (d === 0 || k === key) continue;
      const count = (pairCounts.get(k) ?? 0) + d;
      if (count <= 0) pairCounts.delete(k);
      else {
        pairCounts.set(k, count);
        heap.push(count, k);
      }
    }
    step++;
    if (options.onProgress && step % progressEvery === 0) options.onProgress(merges.length, mergesWanted);
  }
  return { specialTokens: specialTokens.slice(), tokens, merges };
}

/** `word` with every non-overlapping (left, right) pair, scanned left to right, replaced by `id`; same array if none. */
function mergeWord(word: Int32Array, left: number, right: number, id: number): Int32Array {
  let out: number[] | undefined;
  for (let j = 0; j < word.length; j++) {
    if (word[j] === left && j + 1 < word.length && word[j + 1] === right) {
      out ??= Array.from(word.subarray(0, j));
      out.push(id);
      j++;
    } else if (out) out.push(word[j] as number);
  }
  return out ? Int32Array.from(out) : word;
}

/** Max-heap of (count, key) with lazy deletion: larger count first, then smaller key. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Pops until the top entry's count is the pair's current count. */
  popValid(current: ReadonlyMap<number, number>): { count: number; key: number } | undefined {
    while (this.counts.length > 0) {
      const count = this.counts[0] as number;
      const key = this.keys[0] as number;
      this.pop();
      if (current.get(key) === count) return { count, key };
    }
    return undefined;
  }

  private pop(): void {
    const last = this.counts.length - 1;
    this.swap(0, last);
    this.counts.pop();
    this.keys.pop();
    let i = 0;
    const n = this.counts.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && this.before(l, best)) best = l;
      if (r < n && this.before(r, best)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i] as number;
    const cj = this.counts[j] as number;
    return ci > cj || (ci === cj && (this.keys[i] as number) < (this.keys[j] as number));
  }

  private swap(i: number, j: number): void {
    const c = this.counts[i] as number;
    this.counts[i] = this.counts[j] as number;
    this.counts[j] = c;
    const k = this.keys[i] as number;
    this.keys[i] = this.keys[j] as number;
    this.keys[j] = k;
  }
}
