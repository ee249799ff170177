/**
 * Fresh weights for a model config, keyed by HF tensor names: the starting point for pretraining and the tiny models
 * of the tests. Linear and embedding weights ~ N(0, initializer_range²) as HF's `_init_weights` does (default 0.02),
 * norms = 1, biases = 0. `normJitter` and `biasStd` perturb norms and biases (tests use them so those weights matter).
 */
import type { Rng } from '@meta-lora/artifacts';
import type { ModelConfig } from './model-config.ts';
import type { TensorData } from './model-weights.ts';

export interface RandomInitOptions {
  /** Std of linear/embedding weights; defaults to the config's initializer_range, else 0.02. */
  readonly std?: number;
  /** Std of a random offset added to norm weights (0: exactly 1). */
  readonly normJitter?: number;
  /** Std of attention biases, where the architecture has them (0: zero). */
  readonly biasStd?: number;
}

/**
 * @example
 * const model = LlamaModel.fromTensors(config, randomWeights(config, Rng.fromSeed(0)));
 */
export function randomWeights(config: ModelConfig, rng: Rng, options: RandomInitOptions = {}): Map<string, TensorData> {
  const std = options.std ?? (typeof config.raw.initializer_range === 'number' ? config.raw.initializer_range : 0.02);
  const out = new Map<string, TensorData>();
  const normal = (shape: number[], s: number, mean = 0): TensorData => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = mean + (s === 0 ? 0 : rng.normal() * s);
    return { shape, data };
  };
  const { hiddenSize: D, intermediateSize: F, numHeads: H, numKvHeads: KV, headDim: d, vocabSize: V } = config;
  out.set('model.embed_tokens.weight', normal([V, D], std));
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    out.set(`${p}.input_layernorm.weight`, normal([D], options.normJitter ?? 0, 1));
    out.set(`${p}.post_attention_layernorm.weight`, normal([D], options.normJitter ?? 0, 1));
    const lin = (name: string, inF: number, outF: number, bias: boolean) => {
      out.set(`${p}.${name}.weight`, normal([outF, inF], std));
      if (bias) out.set(`${p}.${name}.bias`, normal([outF], options.biasStd ?? 0));
    };
    lin('self_attn.q_proj', D, H * d, config.attentionBias.qkv);
    lin('self_attn.k_proj', D, KV * d, config.attentionBias.qkv);
    lin('self_attn.v_proj', D, KV * d, config.attentionBias.qkv);
    lin('self_attn.o_proj', H * d, D, config.attentionBias.o);
    lin('mlp.gate_proj', D, F, false);
    lin('mlp.up_proj', D, F, false);
    lin('mlp.down_proj', F, D, false);
  }
  out.set('model.norm.weight', normal([D], options.normJitter ?? 0, 1));
  if (!config.tieWordEmbeddings) out.set('lm_head.weight', normal([V, D], std));
  return out;
}
