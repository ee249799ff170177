export type { GenerateOptions } from './generate/generate.ts';
export { applyRepetitionPenalty, generate } from './generate/generate.ts';
export type { GenerateBatchOptions } from './generate/generate-batch.ts';
export { generateGreedyBatch } from './generate/generate-batch.ts';
export type { GenerationConfig } from './generate/generation-config.ts';
export {
  GENERATION_CONFIG_FILE,
  GenerationConfigSchema,
  parseGenerationConfig,
  readGenerationConfig,
} from './generate/generation-config.ts';
export { prefixCache, repeatCache } from './generate/prefix-cache.ts';
export { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './io/half-float.ts';
export type { HfWeightSource, HfWeights, HfWeightTensor } from './io/hf-weights.ts';
export { hfWeightTensor, openHfWeights, readHfWeights } from './io/hf-weights.ts';
export type { LoadedModel } from './io/load-model.ts';
export {
  loadModel,
  loadModelWeights,
  MODEL_TEXT_FILES,
  modelFingerprint,
  modelTextFileHashes,
} from './io/load-model.ts';
export type { SafetensorsFile } from './io/safetensors.ts';
export { parseSafetensors, readSafetensors, readSafetensorsEntry, readSafetensorsLayout } from './io/safetensors.ts';
export type { SafetensorsTensor } from './io/safetensors-decode.ts';
export type {
  FloatDtype,
  IntDtype,
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsLayout,
  WritableDtype,
} from './io/safetensors-header.ts';
export type { TensorToWrite } from './io/safetensors-write.ts';
export { serializeSafetensors, writeSafetensors } from './io/safetensors-write.ts';
export type { SaveModelOptions } from './io/save-model.ts';
export { saveModel } from './io/save-model.ts';
export type { LoraConfig, LoraConfigInput } from './lora/config.ts';
export { LoraConfigSchema, loraScaling } from './lora/config.ts';
export type { AdaptableModel, LoraFactors } from './lora/lora-adapter.ts';
export {
  addAdapters,
  combineAdapters,
  createLoraAdapter,
  LoraAdapter,
  matchTargetModules,
  meanAdapters,
  scaleAdapter,
} from './lora/lora-adapter.ts';
export type { SavePeftOptions } from './lora/peft-io.ts';
export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  fromPeftConfig,
  loadPeftAdapter,
  readPeftConfig,
  readPeftMetadata,
  savePeftAdapter,
  toPeftConfig,
} from './lora/peft-io.ts';
export { gatherRows } from './model/gather-rows.ts';
export { KvCache } from './model/kv-cache.ts';
export type { LinearWeights, LoraBranch } from './model/linear.ts';
export { linear } from './model/linear.ts';
export type { ForwardOptions } from './model/llama-model.ts';
export { LlamaModel } from './model/llama-model.ts';
export type { ModelConfig, ModelType, RopeScalingSpec } from './model/model-config.ts';
export { ModelConfigSchema, parseModelConfig, readModelConfig, SUPPORTED_MODEL_TYPES } from './model/model-config.ts';
export type { TensorData } from './model/model-weights.ts';
export type { RandomInitOptions } from './model/random-init.ts';
export { randomWeights } from './model/random-init.ts';
export { rmsNorm } from './model/rms-norm.ts';
export { applyRope, ropeInvFreq, ropeTables } from './model/rope.ts';
export { createTinyModel, TINY_MODEL_CONFIG } from './model/tiny-model.ts';
export type { BackendChoice, BackendInfo, BackendName, BackendOptions } from './runtime/backend.ts';
export { BACKEND_CHOICES, BACKEND_ENV, backendInfo, initBackend } from './runtime/backend.ts';
export type { TensorSource } from './runtime/tensor-source.ts';
export { tensorFromSource } from './runtime/tensor-source.ts';
export { tf } from './runtime/tf.ts';
export { WASM_HEAP_LIMIT_BYTES, wasmHeapBytes } from './runtime/wasm-heap.ts';
export type { ChatMessage, ChatTemplate, ChatTemplateOptions, ChatTemplateTokens } from './text/chat-template.ts';
export { compileChatTemplate } from './text/chat-template.ts';
export type { BatchOptions, ExampleBatch, ExampleTokenizer, IdExample, TextExample } from './text/example-batch.ts';
export { encodeExample, exampleBatch, idExampleBatch } from './text/example-batch.ts';
export type { DecodeOptions, EncodeOptions } from './text/tokenizer.ts';
export { loadTokenizer, Tokenizer } from './text/tokenizer.ts';
export type { TokenBatch } from './train/loss.ts';
export { causalLmLoss, crossEntropy, IGNORE_INDEX, lossTargets } from './train/loss.ts';
export type { OptimizerConfig, OptimizerConfigInput, OptimizerState } from './train/optimizer.ts';
export { Optimizer, OptimizerConfigSchema } from './train/optimizer.ts';
export type { GradientsResult, TrainStepOptions, TrainStepResult } from './train/train-step.ts';
export { clipByGlobalNorm, globalNorm, loraDropoutMasks, trainStep, valueAndGradients } from './train/train-step.ts';
