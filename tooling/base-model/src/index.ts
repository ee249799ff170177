export { BpeEncoder } from './bpe-encoder.ts';
export type { BpeModel, TrainBpeOptions } from './bpe-trainer.ts';
export { countWords, trainBpe } from './bpe-trainer.ts';
export { BYTE_TO_CHAR, fromByteLevel, GPT2_SPLIT_PATTERN, preTokenize, toByteLevel } from './byte-level.ts';
export type { Corpus, CorpusDocument, CorpusLanguageStats, CorpusOptions, CorpusStats } from './corpus.ts';
export { buildCorpus } from './corpus.ts';
export type { CorpusLanguage, CorpusSource, SourceDocument } from './corpus-sources.ts';
export { CORPUS_LANGUAGES, CORPUS_SOURCES } from './corpus-sources.ts';
export { ExclusionMatcher } from './exclusion.ts';
export type { TokenizerFiles } from './tokenizer-files.ts';
export {
  buildTokenizerFiles,
  CHAT_TEMPLATE,
  EOS_TOKEN,
  PAD_TOKEN,
  SPECIAL_TOKENS,
  writeTokenizerFiles,
} from './tokenizer-files.ts';
export { tokenizerReport } from './tokenizer-report.ts';
export type { LanguageTokenStats, TrainedTokenizer, TrainTokenizerOptions } from './train-tokenizer.ts';
export { trainTokenizer } from './train-tokenizer.ts';
