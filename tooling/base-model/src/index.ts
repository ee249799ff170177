export type { BitsPerByte, BitsPerByteText } from './bits-per-byte.ts';
export { bitsPerByteText, measureBitsPerByte } from './bits-per-byte.ts';
export { BpeEncoder } from './bpe-encoder.ts';
export type { BpeModel, TrainBpeOptions } from './bpe-trainer.ts';
export { countWords, trainBpe } from './bpe-trainer.ts';
export { BYTE_TO_CHAR, fromByteLevel, GPT2_SPLIT_PATTERN, preTokenize, toByteLevel } from './byte-level.ts';
export type {
  Corpus,
  CorpusDocument,
  CorpusLanguageStats,
  CorpusName,
  CorpusOptions,
  CorpusStats,
} from './corpus.ts';
export { buildCorpus, CORPORA, CORPUS_NAMES, corpusFlag } from './corpus.ts';
export type { CorpusLanguage, CorpusSource, SourceDocument } from './corpus-sources.ts';
export { CORPUS_LANGUAGES, CORPUS_SOURCES } from './corpus-sources.ts';
export type { DataParallelInit, DataParallelJob, DataParallelResult } from './data-parallel.ts';
export { DataParallel, splitBatch } from './data-parallel.ts';
export { DEBIAN_PACKAGES, debianInstallCommand, debianPackageFiles, debianPackageId } from './debian-package.ts';
export { DEBIAN_SOURCES } from './debian-sources.ts';
export { ExclusionMatcher } from './exclusion.ts';
export { exportModel, REPETITION_PENALTY, TOKENIZER_FILES } from './export-model.ts';
export type { HeldOutLossOptions } from './held-out-loss.ts';
export { heldOutLoss } from './held-out-loss.ts';
export type { LrScheduleConfig, OptimizerRestart } from './lr-schedule.ts';
export { learningRate, rampedLearningRate } from './lr-schedule.ts';
export type { ModelCardDecoding, ModelCardInput, ModelCardSample } from './model-card.ts';
export { FINAL_TRAIN_WINDOW, modelCard } from './model-card.ts';
export type { PretrainOptions, PretrainResult, SpecialTokenIds } from './pretrain.ts';
export { DEFAULT_RESTART_WARMUP, PROGRESS_SECONDS, pretrain } from './pretrain.ts';
export type { PretrainCheckpoint, TrainerState } from './pretrain-checkpoint.ts';
export { loadPretrainCheckpoint, savePretrainCheckpoint } from './pretrain-checkpoint.ts';
export type {
  PretrainConfig,
  PretrainConfigInput,
  PretrainDataConfig,
  PretrainModelConfig,
  PretrainTrainConfig,
} from './pretrain-config.ts';
export {
  extendedFrom,
  extendRun,
  hfModelConfig,
  PretrainConfigSchema,
  PretrainDataSchema,
  PretrainModelSchema,
  PretrainTrainSchema,
  parsePretrainConfig,
  pretrainConfigHash,
} from './pretrain-config.ts';
export type { PretrainData } from './pretrain-data.ts';
export { pretrainData } from './pretrain-data.ts';
export type { PretrainLogLine } from './pretrain-log.ts';
export { readPretrainLog } from './pretrain-log.ts';
export type { CommittedRun } from './pretrain-state.ts';
export {
  PRETRAIN_LOG_FILE,
  PRETRAIN_STATE_FILE,
  PRETRAIN_STATE_VERSION,
  PretrainStateSchema,
  pretrainStateFiles,
  readCommittedRun,
  weightsDigest,
} from './pretrain-state.ts';
export { MIN_SOURCE_TEXT_CHARS, suiteExclusions } from './suite-exclusions.ts';
export type { Throughput } from './throughput.ts';
export { measureThroughput } from './throughput.ts';
export { countingStream, tinyPretrainConfig } from './tiny-pretrain.ts';
export type { EncodeFn, TokenStreamInfo, TokenStreams } from './token-stream.ts';
export { cachedTokenStreams, packDocuments } from './token-stream.ts';
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
export { evalWindowStarts, randomWindows, windowBatch } from './windows.ts';
