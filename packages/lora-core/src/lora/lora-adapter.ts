/**
 * A LoRA adapter: one `{ lora_A [r, I], lora_B [O, r] }` pair per targeted projection, PEFT's layout. The trainable
 * set is a type: adapter factors are `tf.Variable`s, base weights are plain tensors, so nothing can train the base.
 *
 * Initialisation follows PEFT `LoraLayer.reset_lora_parameters`: `true` → A Kaiming-uniform(a=√5), i.e.
 * U(±1/√I), B zero; `"gaussian"` → A ~ N(0, 1/r), B zero; `false` → both Kaiming-uniform (nn.Linear's default).
 */
import { MetaLoraError, type Rng, showValue } from '@meta-lora/artifacts';
import type { LinearWeights } from '../model/linear.ts';
import { tf } from '../runtime/tf.ts';
import { type LoraConfig, type LoraConfigInput, LoraConfigSchema, loraScaling } from './config.ts';

/** The factors of one adapted projection. */
export interface LoraFactors {
  /** Module path of the projection, e.g. `model.layers.0.self_attn.q_proj`. */
  readonly module: string;
  readonly a: tf.Variable<tf.Rank.R2>; // [r, I]
  readonly b: tf.Variable<tf.Rank.R2>; // [O, r]
}

/** The model side an adapter needs: its linear projections by module path. */
export interface AdaptableModel {
  linearModules(): ReadonlyMap<string, LinearWeights>;
}

let variableCounter = 0;

export class LoraAdapter {
  readonly name: string;
  readonly config: LoraConfig;
  readonly scaling: number;
  /** Factors by module path, in model order. */
  readonly factors: ReadonlyMap<string, LoraFactors>;

  constructor(name: string, config: LoraConfig, factors: ReadonlyMap<string, LoraFactors>) {
    this.name = name;
    this.config = config;
    this.scaling = loraScaling(config);
    this.factors = factors;
  }

  /** The trainable variables in a fixed order (A then B per module, modules in model order). */
  variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const f of this.factors.values()) out.push(f.a, f.b);
    return out;
  }

  /** Number of trainable parameters. */
  numParameters(): number {
    let n = 0;
    for (const f of this.factors.values()) n += f.a.size + f.b.size;
    return n;
  }

  /** Tensors keyed by PEFT's saved key suffix: `<module>.lora_A.weight` and `<module>.lora_B.weight`. */
  namedTensors(): Map<string, tf.Tensor2D> {
    const out = new Map<string, tf.Tensor2D>();
    for (const f of this.factors.values()) {
      out.set(`${f.module}.lora_A.weight`, f.a);
      out.set(`${f.module}.lora_B.weight`, f.b);
    }
    return out;
  }

  /** A deep copy with fresh variables (learn2learn's `clone`): `θᵢ ← θ`. */
  clone(name: string = this.name): LoraAdapter {
    return this.map(name, (t) => t.clone());
  }

  /** A new adapter whose every factor is `fn(factor)` (fn's result is adopted, not copied). */
  map(name: string, fn: (t: tf.Tensor2D, key: string) => tf.Tensor2D): LoraAdapter {
    const factors = new Map<string, LoraFactors>();
    for (const f of this.factors.values()) {
      factors.set(f.module, {
        module: f.module,
        a: adopt(tf.tidy(() => fn(f.a, `${f.module}.lora_A.weight`))),
        b: adopt(tf.tidy(() => fn(f.b, `${f.module}.lora_B.weight`))),
      });
    }
    return new LoraAdapter(name, this.config, factors);
  }

  /** Overwrites this adapter's factors with `other`'s values (same modules and shapes). */
  assign(other: LoraAdapter): void {
    assertCompatible(this, other);
    for (const f of this.factors.values()) {
      const g = other.factors.get(f.module)!;
      f.a.assign(g.a);
      f.b.assign(g.b);
    }
  }

  /** Sets factors from plain arrays keyed like `namedTensors()`. */
  setFromArrays(values: ReadonlyMap<string, Float32Array>): void {
    for (const [key, tensor] of this.namedTensors()) {
      const v = values.get(key);
      if (!v) throw new MetaLoraError('CHECKPOINT_INVALID', `adapter value for ${key} is missing`, { field: key });
      if (v.length !== tensor.size) {
        throw new MetaLoraError(
          'SHAPE_MISMATCH',
          `adapter value for ${key} has ${v.length} values, expected ${tensor.size}`,
          {
            field: key,
          },
        );
      }
      tf.tidy(() => (tensor as tf.Variable).assign(tf.tensor2d(v, tensor.shape)));
    }
  }

  dispose(): void {
    for (const f of this.factors.values()) {
      f.a.dispose();
      f.b.dispose();
    }
  }
}

function adopt(t: tf.Tensor2D): tf.Variable<tf.Rank.R2> {
  const v = tf.variable(t, true, `lora_${variableCounter++}`) as tf.Variable<tf.Rank.R2>;
  t.dispose();
  return v;
}

function assertCompatible(x: LoraAdapter, y: LoraAdapter): void {
  const sameKeys = x.factors.size === y.factors.size && [...x.factors.keys()].every((k) => y.factors.has(k));
  if (!sameKeys || x.config.r !== y.config.r) {
    throw new MetaLoraError(
      'SHAPE_MISMATCH',
      `adapters "${x.name}" and "${y.name}" differ in target modules or rank (r ${x.config.r} vs ${y.config.r})`,
      { fix: 'combine only adapters created with the same LoRA config on the same base model' },
    );
  }
}

/**
 * Resolves `targetModules` against the model's projections, as PEFT does: a list entry matches a module path equal to
 * it or ending in `.entry`; a string is a regex that must match the whole path; `"all-linear"` takes every projection.
 */
export function matchTargetModules(targetModules: LoraConfig['targetModules'], modules: readonly string[]): string[] {
  let matched: string[];
  if (targetModules === 'all-linear') {
    matched = modules.slice();
  } else if (typeof targetModules === 'string') {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${targetModules})$`);
    } catch (cause) {
      throw new MetaLoraError('CONFIG_INVALID', `targetModules is not a valid regex: ${(cause as Error).message}`, {
        field: 'targetModules',
        value: targetModules,
        fix: 'pass a list of module names (["q_proj", "v_proj"]), "all-linear", or a valid regular expression',
      });
    }
    matched = modules.filter((m) => re.test(m));
  } else {
    matched = modules.filter((m) => targetModules.some((t) => m === t || m.endsWith(`.${t}`)));
  }
  if (matched.length === 0) {
    const examples = modules.slice(0, 3).join(', ');
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `targetModules ${showValue(targetModules)} matched no module of the base model`,
      {
        field: 'targetModules',
        value: targetModules,
        fix: `name projections that exist (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj; e.g. ${examples}) or use "all-linear"`,
      },
    );
  }
  return matched;
}

/**
 * Creates a fresh adapter on `model`. `rng` drives the initialisation, so equal seeds give equal adapters.
 *
 * @example
 * const adapter = createLoraAdapter(model, { r: 8, loraAlpha: 16, targetModules: 'all-linear' }, Rng.fromSeed(0));
 */
export function createLoraAdapter(
  model: AdaptableModel,
  config: LoraConfigInput | LoraConfig,
  rng: Rng,
  name = 'default',
): LoraAdapter {
  const parsed = LoraConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    const value = field ? (config as Record<string, unknown>)[field] : config;
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `LoRA config \`${field}\` is invalid: ${issue.message} (got ${showValue(value)})`,
      {
        field,
        value,
        fix: 'see LoraConfigSchema for the accepted values',
      },
    );
  }
  const resolved = parsed.data;
  const modules = model.linearModules();
  const factors = new Map<string, LoraFactors>();
  for (const module of matchTargetModules(resolved.targetModules, [...modules.keys()])) {
    const lin = modules.get(module)!;
    const { r } = resolved;
    const a = new Float32Array(r * lin.inFeatures);
    const b = new Float32Array(lin.outFeatures * r);
    if (resolved.initLoraWeights === 'gaussian') {
      const std = 1 / r;
      for (let i = 0; i < a.length; i++) a[i] = rng.normal() * std;
    } else {
      uniformFill(a, 1 / Math.sqrt(lin.inFeatures), rng);
      if (resolved.initLoraWeights === false) uniformFill(b, 1 / Math.sqrt(r), rng);
    }
    factors.set(module, {
      module,
      a: adopt(tf.tensor2d(a, [r, lin.inFeatures])),
      b: adopt(tf.tensor2d(b, [lin.outFeatures, r])),
    });
  }
  return new LoraAdapter(name, resolved, factors);
}

function uniformFill(out: Float32Array, bound: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.next() - 1) * bound;
}

/**
 * Parameter-space arithmetic for meta-learning (Reptile, averaging): `Σ wᵢ · θᵢ` factor by factor. Note this combines
 * A and B separately, as the meta-update does; it is not the mean of the low-rank products.
 *
 * @example
 * const avg = combineAdapters([a, b], [0.5, 0.5], 'mean');
 */
export function combineAdapters(
  adapters: readonly LoraAdapter[],
  weights: readonly number[],
  name: string,
): LoraAdapter {
  const first = adapters[0];
  if (!first || adapters.length !== weights.length) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `combineAdapters needs one weight per adapter, got ${adapters.length} adapters and ${weights.length} weights`,
      {
        fix: 'pass at least one adapter and a weight for each',
      },
    );
  }
  for (const other of adapters) assertCompatible(first, other);
  return first.map(name, (_t, key) => {
    const [module, which] = splitKey(key);
    return tf.addN(
      adapters.map((ad, i) => {
        const f = ad.factors.get(module)!;
        return tf.mul(which === 'A' ? f.a : f.b, weights[i] as number) as tf.Tensor2D;
      }),
    );
  });
}

/** `a + b`, factor by factor. */
export function addAdapters(a: LoraAdapter, b: LoraAdapter, name = `${a.name}+${b.name}`): LoraAdapter {
  return combineAdapters([a, b], [1, 1], name);
}

/** `s · a`, factor by factor. */
export function scaleAdapter(a: LoraAdapter, s: number, name = a.name): LoraAdapter {
  return combineAdapters([a], [s], name);
}

/** The factor-wise mean of several adapters. */
export function meanAdapters(adapters: readonly LoraAdapter[], name = 'mean'): LoraAdapter {
  return combineAdapters(
    adapters,
    adapters.map(() => 1 / adapters.length),
    name,
  );
}

function splitKey(key: string): [string, 'A' | 'B'] {
  const match = /^(.*)\.lora_([AB])\.weight$/.exec(key);
  if (!match) throw new MetaLoraError('CHECKPOINT_INVALID', `not a LoRA key: ${key}`, { field: key });
  return [match[1] as string, match[2] as 'A' | 'B'];
}
