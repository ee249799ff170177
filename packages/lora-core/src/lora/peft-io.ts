/**
 * PEFT adapter files: `adapter_config.json` + `adapter_model.safetensors`, exactly as PEFT's `save_pretrained` writes
 * them, so an adapter trained here loads in Python PEFT on the same base model, and a PEFT adapter loads here.
 *
 * Keys are `base_model.model.<module path>.lora_A.weight` / `.lora_B.weight` (no adapter name), `lora_A` is [r, in],
 * `lora_B` is [out, r], F32. The safetensors metadata holds `format: pt` (as PEFT writes) plus meta-lora's own
 * `meta_lora.*` keys (base-model fingerprint, lineage), which PEFT ignores.
 */
import { join } from 'node:path';
import { MetaLoraError, Rng, readJsonFile, showValue, writeDirAtomic, writeFileAtomic } from '@meta-lora/artifacts';
import { readSafetensors } from '../io/safetensors.ts';
import { serializeSafetensors } from '../io/safetensors-write.ts';
import type { LoraConfig } from './config.ts';
import { type AdaptableModel, createLoraAdapter, type LoraAdapter } from './lora-adapter.ts';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
const KEY_PREFIX = 'base_model.model.';

export interface SavePeftOptions {
  /** Written as `base_model_name_or_path`. */
  readonly baseModelNameOrPath?: string;
  /** Extra string metadata for the safetensors header (keys are prefixed `meta_lora.`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** PEFT's `adapter_config.json` for a LoRA config (PEFT 0.17 field set, keys sorted). */
export function toPeftConfig(config: LoraConfig, baseModelNameOrPath: string | null): Record<string, unknown> {
  const peft: Record<string, unknown> = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModelNameOrPath,
    bias: config.bias,
    corda_config: null,
    eva_config: null,
    exclude_modules: null,
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: config.initLoraWeights,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: config.loraAlpha,
    lora_bias: false,
    lora_dropout: config.loraDropout,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    qalora_group_size: 16,
    r: config.r,
    rank_pattern: {},
    revision: null,
    target_modules: config.targetModules,
    target_parameters: null,
    task_type: 'CAUSAL_LM',
    trainable_token_indices: null,
    use_dora: false,
    use_qalora: false,
    use_rslora: config.useRslora,
  };
  return peft;
}

/** Reads PEFT's snake_case config back into a LoRA config, refusing PEFT features this engine does not implement. */
export function fromPeftConfig(json: Record<string, unknown>, path: string): LoraConfig {
  const bad = (field: string, why: string, fix: string): MetaLoraError =>
    new MetaLoraError('CONFIG_INVALID', `${field} = ${showValue(json[field])}: ${why}`, {
      path,
      field,
      value: json[field],
      fix,
    });
  if (json.peft_type !== undefined && json.peft_type !== 'LORA') {
    throw bad('peft_type', 'only LoRA adapters are supported', 'load a LoRA adapter');
  }
  const refuse: [string, (v: unknown) => boolean][] = [
    ['use_dora', (v) => v === true],
    ['fan_in_fan_out', (v) => v === true],
    ['lora_bias', (v) => v === true],
    ['modules_to_save', (v) => v !== null && v !== undefined],
    ['layers_to_transform', (v) => v !== null && v !== undefined],
    ['rank_pattern', (v) => v !== undefined && v !== null && Object.keys(v as object).length > 0],
    ['alpha_pattern', (v) => v !== undefined && v !== null && Object.keys(v as object).length > 0],
  ];
  for (const [field, isBad] of refuse) {
    if (isBad(json[field]))
      throw bad(field, 'this PEFT feature is not implemented by meta-lora', `train the adapter without ${field}`);
  }
  if (json.bias !== undefined && json.bias !== 'none')
    throw bad('bias', 'only bias "none" is supported', 'train with bias="none"');
  const r = json.r;
  const alpha = json.lora_alpha ?? 8;
  if (typeof r !== 'number' || !Number.isInteger(r) || r <= 0)
    throw bad('r', 'must be a positive integer', 'fix adapter_config.json');
  if (typeof alpha !== 'number' || alpha <= 0)
    throw bad('lora_alpha', 'must be a positive number', 'fix adapter_config.json');
  const targets = json.target_modules;
  if (
    !(
      typeof targets === 'string' ||
      (Array.isArray(targets) && targets.length > 0 && targets.every((t) => typeof t === 'string'))
    )
  ) {
    throw bad('target_modules', 'must be a module-name list or a regex string', 'fix adapter_config.json');
  }
  const init = json.init_lora_weights;
  return {
    r,
    loraAlpha: alpha,
    loraDropout: typeof json.lora_dropout === 'number' ? json.lora_dropout : 0,
    targetModules: targets as string | string[],
    useRslora: json.use_rslora === true,
    initLoraWeights: init === false || init === 'gaussian' ? init : true,
    bias: 'none',
  };
}

/**
 * Writes `adapter` as a PEFT adapter directory (atomically: the directory appears complete or not at all).
 *
 * @example
 * await savePeftAdapter(adapter, 'runs/x/adapters/shared', { baseModelNameOrPath: 'models/meta-lora-base' });
 */
export async function savePeftAdapter(adapter: LoraAdapter, dir: string, options: SavePeftOptions = {}): Promise<void> {
  const tensors = new Map<string, { dtype: 'F32'; shape: number[]; data: Float32Array }>();
  for (const [key, t] of adapter.namedTensors()) {
    tensors.set(`${KEY_PREFIX}${key}`, { dtype: 'F32', shape: [...t.shape], data: t.dataSync() as Float32Array });
  }
  const metadata: Record<string, string> = { format: 'pt' };
  for (const [k, v] of Object.entries(options.metadata ?? {})) metadata[`meta_lora.${k}`] = v;
  const config = toPeftConfig(adapter.config, options.baseModelNameOrPath ?? null);
  await writeDirAtomic(dir, (tmp) => {
    writeFileAtomic(join(tmp, ADAPTER_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    writeFileAtomic(join(tmp, ADAPTER_WEIGHTS_FILE), serializeSafetensors(tensors, metadata));
  });
}

/** Reads and validates `DIR/adapter_config.json`. */
export function readPeftConfig(dir: string): LoraConfig {
  const path = join(dir, ADAPTER_CONFIG_FILE);
  const json = readJsonFile(path, {
    code: 'CHECKPOINT_INVALID',
    what: ADAPTER_CONFIG_FILE,
    missingFix: 'point at a PEFT adapter directory (adapter_config.json + adapter_model.safetensors)',
  });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MetaLoraError('CHECKPOINT_INVALID', 'adapter_config.json must hold a JSON object', {
      path,
      fix: 'repair the file',
    });
  }
  return fromPeftConfig(json as Record<string, unknown>, path);
}

/**
 * Loads a PEFT adapter directory onto `model`. Every LoRA tensor the config implies must be present with the right
 * shape, and no other tensor may be (that would mean the adapter belongs to a different base model).
 *
 * @example
 * const adapter = loadPeftAdapter('runs/x/adapters/shared', model, 'shared');
 */
export function loadPeftAdapter(dir: string, model: AdaptableModel, name = 'default'): LoraAdapter {
  const config = readPeftConfig(dir);
  const path = join(dir, ADAPTER_WEIGHTS_FILE);
  const file = readSafetensors(path);
  const values = new Map<string, Float32Array>();
  for (const [key, t] of file.tensors) {
    if (!key.startsWith(KEY_PREFIX) || !/\.lora_[AB]\.weight$/.test(key)) {
      throw new MetaLoraError('CHECKPOINT_INVALID', `unexpected tensor ${key} in a LoRA adapter`, {
        path,
        field: key,
        fix: 'meta-lora loads plain LoRA adapters (lora_A / lora_B weights under base_model.model.)',
      });
    }
    if (!(t.data instanceof Float32Array)) {
      throw new MetaLoraError('CHECKPOINT_INVALID', `tensor ${key} has integer dtype ${t.dtype}`, {
        path,
        field: key,
        fix: 'LoRA weights must be float',
      });
    }
    values.set(key.slice(KEY_PREFIX.length), t.data);
  }
  // Structure from the config; no randomness is consumed that matters, the values are overwritten.
  const adapter = createLoraAdapter(model, config, Rng.fromSeed(0), name);
  try {
    const expected = adapter.namedTensors();
    for (const [key, t] of expected) {
      const v = values.get(key);
      if (!v) {
        throw new MetaLoraError('CHECKPOINT_INVALID', `adapter lacks ${KEY_PREFIX}${key}`, {
          path,
          field: `${KEY_PREFIX}${key}`,
          fix: 'the adapter was trained with other target modules or on another base model',
        });
      }
      const shape = file.tensors.get(`${KEY_PREFIX}${key}`)!.shape;
      if (shape.length !== 2 || shape[0] !== t.shape[0] || shape[1] !== t.shape[1]) {
        throw new MetaLoraError(
          'SHAPE_MISMATCH',
          `${KEY_PREFIX}${key} has shape [${shape.join(', ')}], this base model needs [${t.shape.join(', ')}]`,
          {
            path,
            field: `${KEY_PREFIX}${key}`,
            fix: 'load the adapter onto the base model it was trained on',
          },
        );
      }
    }
    for (const key of values.keys()) {
      if (!expected.has(key)) {
        throw new MetaLoraError(
          'CHECKPOINT_INVALID',
          `adapter has ${KEY_PREFIX}${key}, which its target_modules do not select on this model`,
          {
            path,
            field: `${KEY_PREFIX}${key}`,
            fix: 'load the adapter onto the base model it was trained on',
          },
        );
      }
    }
    adapter.setFromArrays(values);
    return adapter;
  } catch (error) {
    adapter.dispose();
    throw error;
  }
}

/** The `meta_lora.*` metadata of an adapter file (without the prefix). */
export function readPeftMetadata(dir: string): Record<string, string> {
  const file = readSafetensors(join(dir, ADAPTER_WEIGHTS_FILE));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(file.metadata))
    if (k.startsWith('meta_lora.')) out[k.slice('meta_lora.'.length)] = v;
  return out;
}
