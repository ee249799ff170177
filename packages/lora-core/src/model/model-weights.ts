/**
 * A Llama-family model's weights built from checkpoint tensors keyed by HF names (`model.layers.0.self_attn.q_proj.
 * weight`): every expected tensor checked against the shape the config implies, copied (or read) into a TF.js tensor,
 * and any tensor the architecture does not use rejected. `LlamaModel.fromTensors` runs the decoder on what this builds.
 *
 * Dimension letters: D hidden, H query heads, KV key/value heads, d head dim, F intermediate, V vocab.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import { type TensorSource, tensorFromSource } from '../runtime/tensor-source.ts';
import { tf } from '../runtime/tf.ts';
import type { LinearWeights } from './linear.ts';
import type { ModelConfig } from './model-config.ts';

/** Raw tensor data as read from safetensors (float32, row-major). */
export interface TensorData {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface DecoderLayer {
  readonly inputLayernorm: tf.Tensor1D; // [D]
  readonly postAttentionLayernorm: tf.Tensor1D; // [D]
  readonly qProj: LinearWeights; // D -> H·d
  readonly kProj: LinearWeights; // D -> KV·d
  readonly vProj: LinearWeights; // D -> KV·d
  readonly oProj: LinearWeights; // H·d -> D
  readonly gateProj: LinearWeights; // D -> F
  readonly upProj: LinearWeights; // D -> F
  readonly downProj: LinearWeights; // F -> D
}

/**
 * A layer's seven projections in model order, as `LINEAR_SUFFIXES` lists them: the one list every walk uses.
 *
 * @example
 * for (const lin of projections(model.layers[0])) console.log(lin.name); // model.layers.0.self_attn.q_proj, …
 */
export function projections(layer: DecoderLayer): readonly LinearWeights[] {
  return [layer.qProj, layer.kProj, layer.vProj, layer.oProj, layer.gateProj, layer.upProj, layer.downProj];
}

export const LINEAR_SUFFIXES = [
  'self_attn.q_proj',
  'self_attn.k_proj',
  'self_attn.v_proj',
  'self_attn.o_proj',
  'mlp.gate_proj',
  'mlp.up_proj',
  'mlp.down_proj',
] as const;

/** The base weights of a model, as `LlamaModel` holds them. */
export interface ModelWeights {
  readonly embed: tf.Tensor2D; // [V, D]
  readonly layers: DecoderLayer[];
  readonly norm: tf.Tensor1D; // [D]
  /** lm_head as a projection D -> V (its weight is `embed_tokens` when tied). */
  readonly lmHead: LinearWeights;
}

let variableSerial = 0;

/**
 * Builds the base weights from checkpoint tensors keyed by HF names, given as values or as sources to read them from
 * (each read once, into its tensor). Every expected tensor must be present with the shape the config implies;
 * unexpected tensors are an error too (they usually mean a different architecture). With `trainable` every weight is a
 * variable (full-weight training); otherwise they are constants. On an error, the tensors built so far are disposed.
 *
 * @example
 * const { embed, layers, norm, lmHead } = modelWeights(config, readHfWeights(dir), dir);
 */
export function modelWeights(
  config: ModelConfig,
  tensors: ReadonlyMap<string, TensorData | TensorSource>,
  source: string,
  options: { readonly trainable?: boolean },
): ModelWeights {
  const built: tf.Tensor[] = []; // disposed if the checkpoint turns out not to fit
  const keep = <T extends tf.Tensor>(t: T): T => {
    built.push(t);
    return t;
  };
  // Full-weight training (pretraining) makes every base weight a variable; otherwise they are constants.
  const make = <T extends tf.Tensor>(t: T, name: string): T => {
    if (!options.trainable) return keep(t);
    const v = tf.variable(t, true, `base/${name}/${variableSerial++}`) as unknown as T;
    t.dispose();
    return keep(v);
  };
  try {
    return buildWeights(config, tensors, source, make, keep);
  } catch (error) {
    for (const t of built) t.dispose();
    throw error;
  }
}

/** `modelWeights`' body: every tensor it creates goes through `make` (checkpoint weights) or `keep` (derived ones). */
function buildWeights(
  config: ModelConfig,
  tensors: ReadonlyMap<string, TensorData | TensorSource>,
  source: string,
  make: <T extends tf.Tensor>(t: T, name: string) => T,
  keep: <T extends tf.Tensor>(t: T) => T,
): ModelWeights {
  const used = new Set<string>();
  const take = (name: string, shape: readonly number[]): TensorData | TensorSource => {
    const t = tensors.get(name);
    if (!t) {
      throw new MetaLoraError('CHECKPOINT_INVALID', `tensor ${name} is missing`, {
        path: source,
        field: name,
        fix: `the checkpoint does not match config.json (model_type ${config.modelType}); check both come from the same model`,
      });
    }
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new MetaLoraError(
        'SHAPE_MISMATCH',
        `tensor ${name} has shape [${t.shape.join(', ')}], config implies [${shape.join(', ')}]`,
        {
          path: source,
          field: name,
          fix: 'check that config.json belongs to these weights',
        },
      );
    }
    used.add(name);
    return t;
  };
  // A checked tensor as a tf.Tensor: values copied in, or read straight into it.
  const load = <T extends tf.Tensor>(name: string, shape: readonly number[]): T => {
    const t = take(name, shape);
    return make(('data' in t ? tf.tensor(t.data, [...shape], 'float32') : tensorFromSource(t, shape)) as T, name);
  };
  const vec = (name: string, n: number): tf.Tensor1D => load(name, [n]);
  const lin = (name: string, inF: number, outF: number, hasBias: boolean): LinearWeights => {
    const weight = load<tf.Tensor2D>(`${name}.weight`, [outF, inF]);
    return {
      name,
      inFeatures: inF,
      outFeatures: outF,
      weight,
      weightT: keep(tf.tidy(() => tf.transpose(weight))),
      bias: hasBias ? vec(`${name}.bias`, outF) : null,
    };
  };
  const { hiddenSize: D, intermediateSize: F, numHeads: H, numKvHeads: KV, headDim: d, vocabSize: V } = config;
  const embed = load<tf.Tensor2D>('model.embed_tokens.weight', [V, D]);
  const layers: DecoderLayer[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    layers.push({
      inputLayernorm: vec(`${p}.input_layernorm.weight`, D),
      postAttentionLayernorm: vec(`${p}.post_attention_layernorm.weight`, D),
      qProj: lin(`${p}.self_attn.q_proj`, D, H * d, config.attentionBias.qkv),
      kProj: lin(`${p}.self_attn.k_proj`, D, KV * d, config.attentionBias.qkv),
      vProj: lin(`${p}.self_attn.v_proj`, D, KV * d, config.attentionBias.qkv),
      oProj: lin(`${p}.self_attn.o_proj`, H * d, D, config.attentionBias.o),
      gateProj: lin(`${p}.mlp.gate_proj`, D, F, false),
      upProj: lin(`${p}.mlp.up_proj`, D, F, false),
      downProj: lin(`${p}.mlp.down_proj`, F, D, false),
    });
  }
  const norm = vec('model.norm.weight', D);
  let lmHead: LinearWeights;
  if (config.tieWordEmbeddings) {
    lmHead = {
      name: 'lm_head',
      inFeatures: D,
      outFeatures: V,
      weight: embed,
      weightT: keep(tf.tidy(() => tf.transpose(embed))),
      bias: null,
    };
    used.add('lm_head.weight'); // some tied checkpoints still store it; it is ignored
  } else {
    lmHead = lin('lm_head', D, V, false);
  }
  const extra = [...tensors.keys()].filter((k) => !used.has(k) && !k.endsWith('rotary_emb.inv_freq'));
  if (extra.length > 0) {
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `unexpected tensors ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ` (+${extra.length - 3} more)` : ''}`,
      {
        path: source,
        field: extra[0] as string,
        fix: `the checkpoint has weights a ${config.modelType} model does not use; check model_type in config.json`,
      },
    );
  }
  return { embed, layers, norm, lmHead };
}
