export type { Artifact, ArtifactInfo, ArtifactKind } from './arrow-artifact.ts';
export {
  artifactFromIPC,
  artifactIdOf,
  artifactInfoFromIPC,
  artifactToIPC,
  defineArtifactKind,
  META_KIND,
  META_LINEAGE,
  META_SCHEMA_VERSION,
  readArtifact,
  readArtifactInfo,
  writeArtifact,
} from './arrow-artifact.ts';
export { arrowFields } from './arrow-fields.ts';
export type { ArrowIPCSource } from './arrow-ipc.ts';
export { tableFromArrowIPC } from './arrow-ipc.ts';
export { writeDirAtomic, writeFileAtomic } from './atomic-write.ts';
export { canonicalJson, configHash, sha256Hex } from './config-hash.ts';
export type { EnvVar } from './env.ts';
export { ENV_VARS, readEnv } from './env.ts';
export type { ErrorCode, ErrorDetails } from './errors.ts';
export { assert, ERROR_CODES, isMetaLoraError, MetaLoraError, showValue } from './errors.ts';
export { HEAP_GROWING_PERCENT, heapGrowingPercent, tuneHeap } from './heap-tuning.ts';
export type {
  AdamStepAttrs,
  AdamStepInputs,
  AdamStepOutputs,
  AttentionAttrs,
  AttentionGradInputs,
  AttentionGradOutputs,
  AttentionInputs,
  AttentionOutputs,
  FusedKernelName,
  LoraLinearAttrs,
  LoraLinearGradInputs,
  LoraLinearGradOutputs,
  LoraLinearInputs,
  LoraLinearOutputs,
  RmsNormAttrs,
  RmsNormGradInputs,
  RmsNormGradOutputs,
  RmsNormInputs,
  RmsNormOutputs,
  SgdStepAttrs,
  SgdStepInputs,
  SgdStepOutputs,
  SumSquaresInputs,
  SumSquaresOutputs,
  SwiGluGradInputs,
  SwiGluGradOutputs,
  SwiGluInputs,
  SwiGluOutputs,
} from './kernel-contract.ts';
export {
  ADAM_STEP_KERNEL,
  ATTENTION_GRAD_KERNEL,
  ATTENTION_KERNEL,
  FUSED_KERNEL_GRADIENTS,
  FUSED_KERNELS,
  LORA_LINEAR_GRAD_KERNEL,
  LORA_LINEAR_KERNEL,
  RMS_NORM_GRAD_KERNEL,
  RMS_NORM_KERNEL,
  SGD_STEP_KERNEL,
  SUM_SQUARES_KERNEL,
  SWIGLU_GRAD_KERNEL,
  SWIGLU_KERNEL,
} from './kernel-contract.ts';
export type { Lineage, LineageInput } from './lineage.ts';
export { LineageSchema } from './lineage.ts';
export { parseConfig } from './parse-config.ts';
export type { ProgressFields, ProgressOptions } from './progress.ts';
export { formatDuration, Progress } from './progress.ts';
export { readFileBytes } from './read-file.ts';
export type { JsonLine, ReadJsonFileOptions } from './read-json-file.ts';
export { parseJsonText, readJsonFile, readJsonLines } from './read-json-file.ts';
export type { RngState } from './rng.ts';
export { hashString, Rng } from './rng.ts';
export type { RunLock } from './run-lock.ts';
export { LOCK_FILE, lockRunDir, withRunLock } from './run-lock.ts';
export { assertSafeName, isSafeName, SAFE_NAME_RULE, safeSegment } from './safe-name.ts';
export type { PoolRunOptions, Served, WorkerPoolOptions } from './worker-pool.ts';
export { longestFirst, serveJobs, siblingModule, WorkerPool } from './worker-pool.ts';
