/**
 * The reference encoder for a trained `BpeModel`, written independently of `@huggingface/tokenizers` so a test can
 * check that the saved `tokenizer.json` encodes exactly as training meant. It follows HF's pipeline for our files:
 * split out special tokens (longest match, left to right), GPT-2 pre-tokenize, then within each pre-token merge the
 * adjacent pair of lowest merge rank (leftmost on ties) until none applies (openai/gpt-2 `encoder.py` `bpe`).
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { BpeModel } from './bpe-trainer.ts';
import { BYTE_TO_CHAR, fromByteLevel, preTokenize } from './byte-level.ts';

const KEY = 65536;

export class BpeEncoder {
  private readonly ids = new Map<string, number>();
  private readonly tokens: string[] = [];
  /** pair key → [rank, merged id]. */
  private readonly ranks = new Map<number, readonly [number, number]>();
  private readonly byteIds: number[];
  private readonly cache = new Map<string, readonly number[]>();
  private readonly specialsLongestFirst: readonly string[];

  constructor(readonly model: BpeModel) {
    for (const token of [...model.specialTokens, ...model.tokens]) {
      this.ids.set(token, this.tokens.length);
      this.tokens.push(token);
    }
    this.byteIds = BYTE_TO_CHAR.map((char) => this.id(char));
    model.merges.forEach(([left, right], rank) => {
      this.ranks.set(this.id(left) * KEY + this.id(right), [rank, this.id(left + right)]);
    });
    this.specialsLongestFirst = model.specialTokens.slice().sort((a, b) => b.length - a.length);
  }

  /** Number of tokens, specials included. */
  get vocabSize(): number {
    return this.tokens.length;
  }

  /**
   * Token ids of `text` (no BOS is added here; the saved post-processor adds it).
   *
   * @example
   * new BpeEncoder(model).encode('Hello'); // e.g. [812, 271]
   */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const part of this.splitSpecials(text)) {
      if (typeof part === 'number') out.push(part);
      else for (const word of preTokenize(part)) out.push(...this.encodeWord(word));
    }
    return out;
  }

  /**
   * The text of `ids`: special tokens as written, the rest as the UTF-8 their bytes spell.
   *
   * @example
   * encoder.decode(encoder.encode('héllo')); // 'héllo'
   */
  decode(ids: readonly number[]): string {
    const decoder = new TextDecoder();
    let out = '';
    let pending = '';
    for (const id of ids) {
      const token = this.tokens[id];
      if (token === undefined) {
        throw new MetaLoraError('TOKENIZER_INVALID', `token id ${id} is outside the vocabulary of ${this.vocabSize}`, {
          value: id,
          fix: 'decode ids produced by this tokenizer',
        });
      }
      if (id < this.model.specialTokens.length) {
        out += decoder.decode(fromByteLevel(pending)) + token;
        pending = '';
      } else pending += token;
    }
    return out + decoder.decode(fromByteLevel(pending));
  }

  private id(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) {
      throw new MetaLoraError('TOKENIZER_INVALID', `merge refers to unknown token ${JSON.stringify(token)}`, {
        value: token,
        fix: 'every merge must combine two tokens of the vocabulary into a third',
      });
    }
    return id;
  }

  private encodeWord(word: string): readonly number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    let symbols: number[] = [];
    for (let i = 0; i < word.length; i++) {
      const byte = fromByteLevel(word[i] as string)?.[0] as number;
      symbols.push(this.byteIds[byte] as number);
    }
    for (;;) {
      let best: readonly [number, number] | undefined;
      for (let j = 0; j + 1 < symbols.length; j++) {
        const hit = this.ranks.get((symbols[j] as number) * KEY + (symbols[j + 1] as number));
        if (hit && (best === undefined || hit[0] < best[0])) best = hit;
      }
      if (best === undefined) break;
      const [rank, merged] = best;
      const next: number[] = [];
      for (let j = 0; j < symbols.length; j++) {
        const hit =
          j + 1 < symbols.length
            ? this.ranks.get((symbols[j] as number) * KEY + (symbols[j + 1] as number))
            : undefined;
        if (hit !== undefined && hit[0] === rank) {
          next.push(merged);
          j++;
        } else next.push(symbols[j] as number);
      }
      symbols = next;
    }
    if (this.cache.size < 100_000) this.cache.set(word, symbols);
    return symbols;
  }

  /** Text pieces and special-token ids, matching HF's added-token splitter (longest match at each position). */
  private splitSpecials(text: string): (string | number)[] {
    if (this.specialsLongestFirst.length === 0) return [text];
    const out: (string | number)[] = [];
    let start = 0;
    let i = 0;
    while (i < text.length) {
      const hit = this.specialsLongestFirst.find((s) => text.startsWith(s, i));
      if (hit === undefined) {
        i++;
        continue;
      }
      if (i > start) out.push(text.slice(start, i));
      out.push(this.ids.get(hit) as number);
      i += hit.length;
      start = i;
    }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }
}
