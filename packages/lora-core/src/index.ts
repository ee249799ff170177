export type { BackendChoice, BackendInfo, BackendName, BackendOptions } from './backend.ts';
export { BACKEND_CHOICES, BACKEND_ENV, backendInfo, initBackend } from './backend.ts';
export type { ChatMessage, ChatTemplate, ChatTemplateOptions, ChatTemplateTokens } from './chat-template.ts';
export { compileChatTemplate } from './chat-template.ts';
export type { Checkpoint, CheckpointTensor } from './checkpoint.ts';
export { checkpointTensor, loadCheckpoint } from './checkpoint.ts';
export type { LoraConfig, LoraConfigInput } from './config.ts';
export { LoraConfigSchema, loraScaling } from './config.ts';
export type { BatchOptions, ExampleBatch, ExampleTokenizer, IdExample, TextExample } from './example-batch.ts';
export { encodeExample, exampleBatch, idExampleBatch } from './example-batch.ts';
export { gatherRows } from './gather-rows.ts';
export type { GenerateOptions } from './generate.ts';
export { applyRepetitionPenalty, generate } from './generate.ts';
export type { GenerationConfig } from './generation-config.ts';
export {
  GENERATION_CONFIG_FILE,
  GenerationConfigSchema,
  parseGenerationConfig,
  readGenerationConfig,
} from './generation-config.ts';
export { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './half-float.ts';
export type { LinearWeights, LoraBranch } from './linear.ts';
export { linear } from './linear.ts';
export type { ForwardOptions, TensorData } from './llama-model.ts';
export { KvCache, LlamaModel, rmsNorm } from './llama-model.ts';
export type { LoadedModel } from './load-model.ts';
export { loadModel } from './load-model.ts';
export type { AdaptableModel, LoraFactors } from './lora-adapter.ts';
export {
  addAdapters,
  combineAdapters,
  createLoraAdapter,
  LoraAdapter,
  matchTargetModules,
  meanAdapters,
  scaleAdapter,
} from './lora-adapter.ts';
export type { TokenBatch } from './loss.ts';
export { causalLmLoss, crossEntropy, IGNORE_INDEX, lossTargets } from './loss.ts';
export type { ModelConfig, ModelType, RopeScalingSpec } from './model-config.ts';
export { ModelConfigSchema, parseModelConfig, readModelConfig, SUPPORTED_MODEL_TYPES } from './model-config.ts';
export type { OptimizerConfig, OptimizerConfigInput, OptimizerState } from './optimizer.ts';
export { Optimizer, OptimizerConfigSchema } from './optimizer.ts';
export type { SavePeftOptions } from './peft-io.ts';
export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  fromPeftConfig,
  loadPeftAdapter,
  readPeftConfig,
  readPeftMetadata,
  savePeftAdapter,
  toPeftConfig,
} from './peft-io.ts';
export type { RandomInitOptions } from './random-init.ts';
export { randomWeights } from './random-init.ts';
export type { ReadJsonFileOptions } from './read-json-file.ts';
export { parseJsonText, readJsonFile } from './read-json-file.ts';
export { applyRope, ropeInvFreq, ropeTables } from './rope.ts';
export type {
  FloatDtype,
  IntDtype,
  SafetensorsDtype,
  SafetensorsFile,
  SafetensorsTensor,
  TensorToWrite,
  WritableDtype,
} from './safetensors.ts';
export { parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from './safetensors.ts';
export type { SaveModelOptions } from './save-model.ts';
export { saveModel } from './save-model.ts';
export { tf } from './tf.ts';
export { createTinyModel, TINY_MODEL_CONFIG } from './tiny-model.ts';
export type { DecodeOptions, EncodeOptions } from './tokenizer.ts';
export { loadTokenizer, Tokenizer } from './tokenizer.ts';
export type { GradientsResult, TrainStepOptions, TrainStepResult } from './train-step.ts';
export { clipByGlobalNorm, globalNorm, loraDropoutMasks, trainStep, valueAndGradients } from './train-step.ts';
