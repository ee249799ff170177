/**
 * A Llama-family decoder-only LM (HF `LlamaForCausalLM`, `MistralForCausalLM`, `Qwen2ForCausalLM`), in TensorFlow.js.
 * Module and tensor names follow the checkpoint (`model.layers.0.self_attn.q_proj.weight`), so loading is a
 * name-for-name copy. Per layer:
 *
 *   h = x + o_proj(attn(rope(q_proj(n₁)), rope(k_proj(n₁)), v_proj(n₁))),   n₁ = RMSNorm(x)
 *   y = h + down_proj(silu(gate_proj(n₂)) ⊙ up_proj(n₂)),                    n₂ = RMSNorm(h)
 *
 * with causal grouped-query attention (each of KV key/value heads serves H/KV query heads, HF `repeat_kv` order),
 * then a final RMSNorm and `lm_head` (tied to `embed_tokens` when `tie_word_embeddings`).
 *
 * GQA without copying K/V: the `rep = H/KV` query heads of a group are stacked along time, so one [rep·T, d] x [d, S]
 * product per group replaces `rep` products against a repeated key.
 *
 * Dimension letters: B batch, T new positions, S key positions (cache + new), D hidden, H query heads, KV key/value
 * heads, rep = H/KV, d head dim, F intermediate, V vocab, N = B·T rows.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { LoraAdapter } from '../lora/lora-adapter.ts';
import type { TensorSource } from '../runtime/tensor-source.ts';
import { tf } from '../runtime/tf.ts';
import { causalMask, paddedCausalMask } from './causal-mask.ts';
import { gatherRows } from './gather-rows.ts';
import type { KvCache } from './kv-cache.ts';
import { layerAttention } from './layer-attention.ts';
import { type LinearWeights, type LoraBranch, linear } from './linear.ts';
import type { ModelConfig } from './model-config.ts';
import { type DecoderLayer, LINEAR_SUFFIXES, modelWeights, projections, type TensorData } from './model-weights.ts';
import { fusedRmsNorm, rmsNorm } from './rms-norm.ts';
import { ropeInvFreq, ropeTables } from './rope.ts';
import { swiglu } from './swiglu.ts';

export interface ForwardOptions {
  /** LoRA adapters whose branches are added to the base projections (their deltas sum, as PEFT's active adapters). */
  readonly adapters?: readonly LoraAdapter[];
  /** Cache to read past keys/values from and append this call's to (decoding). Updated in place. */
  readonly cache?: KvCache;
  /** Per-call LoRA dropout masks, keyed `${adapterName}/${module}` ([N, I] each); built by the trainer. */
  readonly dropoutMasks?: ReadonlyMap<string, tf.Tensor2D>;
}

/** What a decoder layer gets: the call's options and, for left-padded rows, their mask (see `paddedCausalMask`). */
type LayerOptions = ForwardOptions & { readonly paddedMask?: tf.Tensor4D };

export class LlamaModel {
  readonly config: ModelConfig;
  readonly embedTokens: tf.Tensor2D; // [V, D]
  readonly layers: readonly DecoderLayer[];
  readonly norm: tf.Tensor1D; // [D]
  /** lm_head as a projection D -> V (its weight is `embed_tokens` when tied). */
  readonly lmHead: LinearWeights;
  /** True when the base weights are variables (full-weight training); LoRA is then not allowed. */
  readonly trainable: boolean;
  private readonly invFreq: Float64Array;
  private readonly modules: Map<string, LinearWeights>;
  private readonly mergedAdapters = new Set<LoraAdapter>();
  private readonly maskCache = new Map<string, tf.Tensor2D>();

  private constructor(
    config: ModelConfig,
    embed: tf.Tensor2D,
    layers: DecoderLayer[],
    norm: tf.Tensor1D,
    lmHead: LinearWeights,
    trainable: boolean,
  ) {
    this.config = config;
    this.trainable = trainable;
    this.embedTokens = embed;
    this.layers = layers;
    this.norm = norm;
    this.lmHead = lmHead;
    this.invFreq = ropeInvFreq(config.headDim, config.ropeTheta, config.ropeScaling);
    this.modules = new Map();
    for (const layer of layers) {
      for (const lin of projections(layer)) this.modules.set(lin.name, lin);
    }
  }

  /**
   * Builds the model from checkpoint tensors keyed by HF names, given as values or as sources to read them from (each
   * read once, into its tensor: `openHfWeights`). Every expected tensor must be present with the shape the config
   * implies; unexpected tensors are an error too (they usually mean a different architecture).
   *
   * @example
   * const model = LlamaModel.fromTensors(readModelConfig(dir), readHfWeights(dir), dir);
   */
  static fromTensors(
    config: ModelConfig,
    tensors: ReadonlyMap<string, TensorData | TensorSource>,
    source = 'checkpoint',
    options: { readonly trainable?: boolean } = {},
  ): LlamaModel {
    const { embed, layers, norm, lmHead } = modelWeights(config, tensors, source, options);
    return new LlamaModel(config, embed, layers, norm, lmHead, options.trainable ?? false);
  }

  /** Every base weight by its HF checkpoint name (`lm_head.weight` only when untied): what `saveModel` writes. */
  namedWeights(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    out.set('model.embed_tokens.weight', this.embedTokens);
    this.layers.forEach((l, i) => {
      const p = `model.layers.${i}`;
      out.set(`${p}.input_layernorm.weight`, l.inputLayernorm);
      out.set(`${p}.post_attention_layernorm.weight`, l.postAttentionLayernorm);
      for (const lin of projections(l)) {
        out.set(`${lin.name}.weight`, lin.weight);
        if (lin.bias) out.set(`${lin.name}.bias`, lin.bias);
      }
    });
    out.set('model.norm.weight', this.norm);
    if (!this.config.tieWordEmbeddings) out.set('lm_head.weight', this.lmHead.weight);
    return out;
  }

  /** The base weights as variables, in `namedWeights()` order; empty unless loaded with `trainable: true`. */
  trainableVariables(): tf.Variable[] {
    return this.trainable ? ([...this.namedWeights().values()] as tf.Variable[]) : [];
  }

  /** Every adaptable projection by module path, in model order (lm_head excluded, as PEFT's all-linear does). */
  linearModules(): ReadonlyMap<string, LinearWeights> {
    return this.modules;
  }

  /** Names of the projection kinds, e.g. for help texts. */
  static readonly linearSuffixes = LINEAR_SUFFIXES;

  /** Number of base parameters (tied lm_head counted once). */
  numParameters(): number {
    let n = this.embedTokens.size + this.norm.size;
    for (const l of this.layers) {
      n += l.inputLayernorm.size + l.postAttentionLayernorm.size;
      for (const p of projections(l)) {
        n += p.weight.size + (p.bias?.size ?? 0);
      }
    }
    if (!this.config.tieWordEmbeddings) n += this.lmHead.weight.size;
    return n;
  }

  /**
   * Runs the decoder on token ids and returns the final-normed hidden states, one row per position.
   *
   * @example
   * const hidden = model.hidden(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32')); // [3, D]
   */
  hidden(inputIds: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
    const [B, T] = inputIds.shape;
    const past = options.cache?.length ?? 0;
    this.checkLength(past + T);
    const adapters = this.activeAdapters(options.adapters);
    return tf.tidy(() => {
      const { cos, sin } = ropeTables(this.invFreq, past, T); // [T, d] each
      let x = gatherRows(this.embedTokens, tf.reshape(inputIds, [B * T]) as tf.Tensor1D); // [N, D]
      const padding = options.cache?.padding;
      const { numHeads: H, numKvHeads: KV } = this.config;
      // Built once per call, shared by every layer: [B, 1, rep·T, S].
      const layerOptions = padding ? { ...options, paddedMask: paddedCausalMask(padding, H / KV, T, past) } : options;
      this.layers.forEach((layer, i) => {
        x = this.decoderLayer(layer, i, x, B, T, past, cos, sin, adapters, layerOptions);
      });
      if (options.cache) {
        options.cache.length = past + T;
      }
      return rmsNorm(x, this.norm, this.config.rmsNormEps);
    });
  }

  /**
   * Logits for every position.
   *
   * @example
   * const logits = model.logits(ids, { adapters: [adapter] }); // [B, T, V]
   */
  logits(inputIds: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
    const [B, T] = inputIds.shape;
    return tf.tidy(() => {
      const h = this.hidden(inputIds, options); // [N, D]
      return tf.reshape(linear(h, this.lmHead), [B, T, this.config.vocabSize]) as tf.Tensor3D; // [B, T, V]
    });
  }

  /** Projects hidden rows to vocabulary logits: [M, D] -> [M, V]. */
  project(hidden: tf.Tensor2D): tf.Tensor2D {
    return linear(hidden, this.lmHead);
  }

  /** Adds `adapter`'s update into the base weights (`W += s·B·A`); it then must not be passed in `adapters`. */
  mergeAdapter(adapter: LoraAdapter): void {
    if (this.mergedAdapters.has(adapter)) {
      throw new MetaLoraError('CONFIG_INVALID', `adapter "${adapter.name}" is already merged`, {
        fix: 'unmerge it first',
      });
    }
    this.applyDelta(adapter, 1);
    this.mergedAdapters.add(adapter);
  }

  /** Subtracts a merged adapter's update from the base weights again. */
  unmergeAdapter(adapter: LoraAdapter): void {
    if (!this.mergedAdapters.has(adapter)) {
      throw new MetaLoraError('CONFIG_INVALID', `adapter "${adapter.name}" is not merged`, {
        fix: 'merge it before unmerging',
      });
    }
    this.applyDelta(adapter, -1);
    this.mergedAdapters.delete(adapter);
  }

  dispose(): void {
    const seen = new Set<tf.Tensor>();
    const drop = (t: tf.Tensor | null) => {
      if (t && !seen.has(t)) {
        seen.add(t);
        t.dispose();
      }
    };
    drop(this.embedTokens);
    drop(this.norm);
    for (const l of this.layers) {
      drop(l.inputLayernorm);
      drop(l.postAttentionLayernorm);
      for (const p of projections(l)) {
        drop(p.weight);
        drop(p.weightT);
        drop(p.bias);
      }
    }
    drop(this.lmHead.weight);
    drop(this.lmHead.weightT);
    for (const m of this.maskCache.values()) m.dispose();
    this.maskCache.clear();
  }

  private applyDelta(adapter: LoraAdapter, sign: 1 | -1): void {
    for (const f of adapter.factors.values()) {
      const lin = this.modules.get(f.module);
      if (!lin) {
        throw new MetaLoraError(
          'SHAPE_MISMATCH',
          `adapter "${adapter.name}" targets ${f.module}, which this model lacks`,
          {
            field: f.module,
            fix: 'merge adapters only into the base model they were trained on',
          },
        );
      }
      const [weight, weightT] = tf.tidy(() => {
        const delta = tf.mul(tf.matMul(f.b, f.a), sign * adapter.scaling); // [O, r] x [r, I] -> [O, I]
        const w = tf.add(lin.weight, delta) as tf.Tensor2D;
        return [w, tf.transpose(w) as tf.Tensor2D];
      });
      lin.weight.dispose();
      lin.weightT.dispose();
      lin.weight = weight;
      lin.weightT = weightT;
    }
  }

  private activeAdapters(adapters: readonly LoraAdapter[] | undefined): readonly LoraAdapter[] {
    if (this.trainable && adapters && adapters.length > 0) {
      throw new MetaLoraError('CONFIG_INVALID', 'LoRA adapters cannot run on a model loaded for full-weight training', {
        fix: 'load the model without trainable: true to use adapters',
      });
    }
    for (const a of adapters ?? []) {
      if (this.mergedAdapters.has(a)) {
        throw new MetaLoraError(
          'CONFIG_INVALID',
          `adapter "${a.name}" is merged into the base weights and was also passed to forward`,
          {
            fix: 'pass a merged adapter nowhere, or unmerge it first',
          },
        );
      }
    }
    return adapters ?? [];
  }

  private checkLength(total: number): void {
    const limit = this.config.slidingWindow ?? Number.POSITIVE_INFINITY;
    if (total > this.config.maxPositions || total > limit) {
      throw new MetaLoraError(
        'SHAPE_MISMATCH',
        `sequence of ${total} positions exceeds the model's limit of ${Math.min(this.config.maxPositions, limit)}`,
        {
          field: 'sequence length',
          value: total,
          fix: 'shorten the input or lower max sequence length / max new tokens',
        },
      );
    }
  }

  private project2(
    lin: LinearWeights,
    x: tf.Tensor2D,
    adapters: readonly LoraAdapter[],
    options: ForwardOptions,
  ): tf.Tensor2D {
    const branches: LoraBranch[] = [];
    for (const adapter of adapters) {
      const f = adapter.factors.get(lin.name);
      if (!f) continue;
      const mask = options.dropoutMasks?.get(`${adapter.name}/${lin.name}`);
      branches.push(
        mask
          ? { a: f.a, b: f.b, scaling: adapter.scaling, dropoutMask: mask }
          : { a: f.a, b: f.b, scaling: adapter.scaling },
      );
    }
    return linear(x, lin, branches);
  }

  private decoderLayer(
    layer: DecoderLayer,
    index: number,
    x: tf.Tensor2D,
    B: number,
    T: number,
    past: number,
    cos: tf.Tensor2D,
    sin: tf.Tensor2D,
    adapters: readonly LoraAdapter[],
    options: LayerOptions,
  ): tf.Tensor2D {
    const { numHeads: H, numKvHeads: KV } = this.config;
    const n1 = fusedRmsNorm(x, layer.inputLayernorm, this.config.rmsNormEps); // [N, D]
    const q = this.project2(layer.qProj, n1, adapters, options); // [N, H·d]
    const k = this.project2(layer.kProj, n1, adapters, options); // [N, KV·d]
    const v = this.project2(layer.vProj, n1, adapters, options); // [N, KV·d]

    const merged = layerAttention(q, k, v, cos, sin, {
      batch: B,
      time: T,
      past,
      heads: H,
      kvHeads: KV,
      headDim: this.config.headDim,
      layer: index,
      ...(options.cache ? { cache: options.cache } : {}),
      padded: options.paddedMask !== undefined,
      mask: () => options.paddedMask ?? this.cachedCausalMask(H / KV, T, past),
    }); // [N, H·d]
    const h = tf.add(x, this.project2(layer.oProj, merged, adapters, options)) as tf.Tensor2D; // [N, D]

    const n2 = fusedRmsNorm(h, layer.postAttentionLayernorm, this.config.rmsNormEps); // [N, D]
    const gate = this.project2(layer.gateProj, n2, adapters, options); // [N, F]
    const up = this.project2(layer.upProj, n2, adapters, options); // [N, F]
    const act = swiglu(gate, up); // silu(gate) ⊙ up, fused where the backend can: [N, F]
    return tf.add(h, this.project2(layer.downProj, act, adapters, options)) as tf.Tensor2D; // [N, D]
  }

  /** `causalMask(rep, T, past)`, built once per shape and kept (the oldest shape dropped past 64). */
  private cachedCausalMask(rep: number, T: number, past: number): tf.Tensor2D {
    const key = `${rep}:${T}:${past}`;
    let mask = this.maskCache.get(key);
    if (!mask) {
      mask = tf.keep(causalMask(rep, T, past));
      if (this.maskCache.size > 64) {
        const [oldKey, old] = this.maskCache.entries().next().value as [string, tf.Tensor2D];
        old.dispose();
        this.maskCache.delete(oldKey);
      }
      this.maskCache.set(key, mask);
    }
    return mask;
  }
}
