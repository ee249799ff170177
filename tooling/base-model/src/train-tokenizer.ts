/**
 * Trains the base model's tokenizer on the train split of the corpus and measures it. Languages with little text are
 * upsampled for tokenizer training only (their word counts multiplied by a small integer) so each has at least
 * `minLanguageShare` of the English bytes; otherwise English would take nearly every merge.
 */

import { BpeEncoder } from './bpe-encoder.ts';
import { type BpeModel, countWords, trainBpe } from './bpe-trainer.ts';
import type { Corpus, CorpusDocument } from './corpus.ts';
import { CORPUS_LANGUAGES, type CorpusLanguage } from './corpus-sources.ts';
import { SPECIAL_TOKENS } from './tokenizer-files.ts';

export interface TrainTokenizerOptions {
  /** Vocabulary size, special tokens included. Default 4096. */
  readonly vocabSize?: number;
  /** Each language is upsampled to at least this share of the English bytes (at most 8×). Default 0.03. */
  readonly minLanguageShare?: number;
  readonly onProgress?: (mergesDone: number, mergesWanted: number) => void;
}

export interface LanguageTokenStats {
  readonly documents: number;
  readonly bytes: number;
  /** Unicode code points. */
  readonly chars: number;
  readonly tokens: number;
  /** Upsampling weight used for tokenizer training. */
  readonly weight: number;
}

export interface TrainedTokenizer {
  readonly model: BpeModel;
  readonly encoder: BpeEncoder;
  /** Seconds spent counting words and training merges. */
  readonly trainSeconds: number;
  /** Per language, the train split under the trained tokenizer. */
  readonly train: Record<CorpusLanguage, LanguageTokenStats>;
  /** Per language, the held-out split under the trained tokenizer. */
  readonly heldOut: Record<CorpusLanguage, LanguageTokenStats>;
}

const utf8 = new TextEncoder();

/**
 * Trains and measures the tokenizer.
 *
 * @example
 * const trained = trainTokenizer(buildCorpus(), { vocabSize: 4096 });
 * trained.train.en.bytes / trained.train.en.tokens; // average bytes per token on English
 */
export function trainTokenizer(corpus: Corpus, options: TrainTokenizerOptions = {}): TrainedTokenizer {
  const vocabSize = options.vocabSize ?? 4096;
  const minShare = options.minLanguageShare ?? 0.03;
  const start = performance.now();
  const bytes = Object.fromEntries(CORPUS_LANGUAGES.map((l) => [l, corpus.stats.train[l].bytes])) as Record<
    CorpusLanguage,
    number
  >;
  const weights = Object.fromEntries(
    CORPUS_LANGUAGES.map((l) => [
      l,
      bytes[l] === 0 ? 1 : Math.min(8, Math.max(1, Math.ceil((minShare * bytes.en) / bytes[l]))),
    ]),
  ) as Record<CorpusLanguage, number>;

  const counts = new Map<string, number>();
  for (const language of CORPUS_LANGUAGES) {
    const own = new Map<string, number>();
    for (const doc of corpus.train) if (doc.language === language) countWords(doc.text, own);
    for (const [word, count] of own) counts.set(word, (counts.get(word) ?? 0) + count * weights[language]);
  }
  const trainOptions = {
    vocabSize,
    specialTokens: SPECIAL_TOKENS,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const model = trainBpe(counts, trainOptions);
  const trainSeconds = (performance.now() - start) / 1000;
  const encoder = new BpeEncoder(model);
  return {
    model,
    encoder,
    trainSeconds,
    train: measure(corpus.train, encoder, weights),
    heldOut: measure(corpus.heldOut, encoder, weights),
  };
}

function measure(
  docs: readonly CorpusDocument[],
  encoder: BpeEncoder,
  weights: Record<CorpusLanguage, number>,
): Record<CorpusLanguage, LanguageTokenStats> {
  const out = Object.fromEntries(
    CORPUS_LANGUAGES.map((l) => [l, { documents: 0, bytes: 0, chars: 0, tokens: 0, weight: weights[l] }]),
  ) as Record<CorpusLanguage, { documents: number; bytes: number; chars: number; tokens: number; weight: number }>;
  for (const doc of docs) {
    const stats = out[doc.language];
    stats.documents++;
    stats.bytes += utf8.encode(doc.text).length;
    for (const _ of doc.text) stats.chars++;
    stats.tokens += encoder.encode(doc.text).length;
  }
  return out;
}
