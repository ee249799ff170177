/** `unflattenAdapter` of stage1-adapt, under its earlier name here. */
export { unflattenAdapter as unflatten } from '@meta-lora/stage1-adapt';
export type { TaskVector } from './aggregate.ts';
export {
  aggregationWeights,
  combineTaskVectors,
  meanPairwiseCosine,
  metaGradient,
  taskVectors,
} from './aggregate.ts';
export type { BaselineTask, LoraTrainResult } from './baseline-task.ts';
export type { BaselineOptions } from './baselines.ts';
export { trainBaselines } from './baselines.ts';
export type { BaselineMethod, BaselineRow, BaselineTuningRow } from './baselines-artifact.ts';
export {
  BASELINE_METHODS,
  BaselineRowSchema,
  BaselinesArtifact,
  BaselineTuningArtifact,
  BaselineTuningRowSchema,
} from './baselines-artifact.ts';
export type { BaselineConfig, MetaCandidate, MetaConfig, MetaConfigInput } from './config.ts';
export {
  ALGORITHMS,
  assertSupportedAlgorithm,
  BaselineConfigSchema,
  baselineLrs,
  baselineSteps,
  MetaConfigSchema,
  metaCandidates,
  parseMetaConfig,
} from './config.ts';
export type { DiagnosticsRow, IterationMetrics, TaskMetrics } from './diagnostics.ts';
export {
  appendMetrics,
  DiagnosticsArtifact,
  DiagnosticsRowSchema,
  diagnosticsRows,
  truncateMetrics,
} from './diagnostics.ts';
export type { MetaTrainState } from './meta-checkpoint.ts';
export {
  CHECKPOINTS_DIR,
  LATEST_FILE,
  readLatestMetaCheckpoint,
  restoreMetaCheckpoint,
  writeMetaCheckpoint,
} from './meta-checkpoint.ts';
export type { MetaEpisode } from './meta-episode.ts';
export type { MetaTrainOptions, MetaTrainResult } from './meta-train.ts';
export { metaTrain } from './meta-train.ts';
export type { MetaTuningRow } from './meta-tuning.ts';
export {
  candidateDir,
  META_TUNING_FILE,
  MetaTuningArtifact,
  MetaTuningRowSchema,
  metaTuningRows,
  selectedAdaptConfig,
  writeSelectedAdapter,
} from './meta-tuning.ts';
export type { MetaUpdate } from './meta-update.ts';
export { metaUpdate } from './meta-update.ts';
export { metaRunHash } from './run-identity.ts';
export type { RunTrainingOptions, TrainingData, TrainingDataPaths } from './run-training.ts';
export { loadTrainingData, runTraining } from './run-training.ts';
export { devSelection, trainLora } from './train-lora.ts';
