/**
 * The model, adapter and batch a bench run trains on: the random Llama of `shared/bench/README.md` (or an HF checkpoint
 * directory), LoRA on all seven projections, and seeded random token ids whose labels are the ids themselves (HF's
 * causal-LM loss over B·(T−1) targets, as the PyTorch reference computes it).
 */
import { Rng } from '@meta-lora/artifacts';
import {
  createLoraAdapter,
  LlamaModel,
  type LoraAdapter,
  loadModel,
  parseModelConfig,
  randomWeights,
  type TokenBatch,
} from '@meta-lora/lora-core';
import type { BenchOptions } from './bench-options.ts';

/** HF config of the random bench model (`BENCH_CONFIG` in torch_lora_bench.py). */
export const BENCH_MODEL_CONFIG = {
  model_type: 'llama',
  hidden_size: 256,
  intermediate_size: 688,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 2048,
  max_position_embeddings: 512,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  tie_word_embeddings: true,
} as const;

export interface BenchModel {
  readonly model: LlamaModel;
  readonly adapter: LoraAdapter;
  readonly batch: TokenBatch;
  /** Parameters without the token embedding and an untied lm_head, LoRA included (the reference's 6N count). */
  readonly paramsNonEmbedding: number;
  readonly paramsLora: number;
  dispose(): void;
}

/**
 * Builds the bench model, its adapter and one batch.
 *
 * @example
 * const bench = await buildBenchModel(parseBenchArgs([])); // random 3.57M-parameter Llama, 148K LoRA parameters
 */
export async function buildBenchModel(options: BenchOptions): Promise<BenchModel> {
  const rng = Rng.fromSeed(options.seed);
  const model =
    options.model === null
      ? LlamaModel.fromTensors(
          parseModelConfig(BENCH_MODEL_CONFIG, 'bench config'),
          randomWeights(parseModelConfig(BENCH_MODEL_CONFIG, 'bench config'), rng.fork('weights')),
          'bench config',
        )
      : (await loadModel(options.model)).model;
  const adapter = createLoraAdapter(
    model,
    { r: options.rank, loraAlpha: options.alpha, targetModules: 'all-linear' },
    rng.fork('lora'),
  );
  const ids = batchIds(options.batch, options.seq, model.config.vocabSize, rng.fork('ids'));
  const paramsLora = adapter.variables().reduce((n, v) => n + v.size, 0);
  const untiedHead = model.config.tieWordEmbeddings ? 0 : model.lmHead.weight.size;
  return {
    model,
    adapter,
    batch: { batchSize: options.batch, seqLen: options.seq, inputIds: ids, labels: ids },
    paramsNonEmbedding: model.numParameters() - model.embedTokens.size - untiedHead + paramsLora,
    paramsLora,
    dispose: () => {
      adapter.dispose();
      model.dispose();
    },
  };
}

/** `B·T` token ids uniform in `[0, V)`. */
export function batchIds(batch: number, seq: number, vocab: number, rng: Rng): Int32Array {
  const ids = new Int32Array(batch * seq);
  for (let i = 0; i < ids.length; i++) ids[i] = rng.int(vocab);
  return ids;
}
