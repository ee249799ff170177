/**
 * Autoregressive generation with a KV cache: one forward over the prompt, then one position per new token. Greedy
 * (argmax) or sampled with temperature and nucleus (top-p) filtering, from a seeded `Rng`. Stops at an EOS id, when
 * `stopAfter` says so, or after `maxNewTokens`. An optional repetition penalty (CTRL, Keskar et al. 2019, §4.1; HF's
 * `RepetitionPenaltyLogitsProcessor`) is applied to the logits first, in both modes, as transformers does.
 *
 * Dimension letters: T prompt length, D hidden, V vocab.
 */
import { MetaLoraError, type Rng } from '@meta-lora/artifacts';
import type { LoraAdapter } from '../lora/lora-adapter.ts';
import { KvCache } from '../model/kv-cache.ts';
import type { LlamaModel } from '../model/llama-model.ts';
import { tf } from '../runtime/tf.ts';

export interface GenerateOptions {
  readonly maxNewTokens: number;
  /** Argmax decoding; when false, sample with `temperature` and `topP` from `rng`. */
  readonly greedy?: boolean;
  readonly temperature?: number;
  readonly topP?: number;
  /**
   * HF's `repetition_penalty`: the logit of every id already in the prompt or the output is divided by it when
   * positive and multiplied by it when negative. 1 (the default) is off; > 1 discourages repeats. Must be > 0.
   */
  readonly repetitionPenalty?: number;
  /** Required when sampling. */
  readonly rng?: Rng;
  /** Stop when one of these is generated (defaults to the config's eos_token_id; [] disables). */
  readonly eosTokenIds?: readonly number[];
  readonly adapters?: readonly LoraAdapter[];
  /** Called with each new token id as it is produced. */
  readonly onToken?: (id: number) => void;
  /**
   * Called with the ids generated so far after each new one; `true` stops there (that id kept), as EOS does. Decoding
   * is causal, so the ids up to the stop are those a longer run would start with.
   */
  readonly stopAfter?: (ids: readonly number[]) => boolean;
}

/**
 * Generates up to `maxNewTokens` ids after `promptIds`; returns only the new ids (EOS included when hit).
 *
 * @example
 * const ids = generate(model, [1, 42, 7], { maxNewTokens: 16, greedy: true });
 */
export function generate(model: LlamaModel, promptIds: readonly number[], options: GenerateOptions): number[] {
  const { maxNewTokens } = options;
  checkGenerationInput(model, promptIds, maxNewTokens);
  const greedy = options.greedy ?? false;
  const temperature = options.temperature ?? 1;
  const topP = options.topP ?? 1;
  if (!greedy) {
    if (!options.rng) {
      throw new MetaLoraError('CONFIG_INVALID', 'sampling needs a seeded rng', {
        field: 'rng',
        fix: 'pass rng, or greedy: true',
      });
    }
    if (!(temperature > 0) || !(topP > 0 && topP <= 1)) {
      throw new MetaLoraError(
        'CONFIG_INVALID',
        `temperature must be > 0 and topP in (0, 1], got ${temperature} and ${topP}`,
        {
          field: 'temperature/topP',
          fix: 'use e.g. temperature 0.8, topP 0.95, or greedy decoding',
        },
      );
    }
  }
  const repetitionPenalty = options.repetitionPenalty ?? 1;
  if (!(repetitionPenalty > 0 && Number.isFinite(repetitionPenalty))) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `repetitionPenalty must be a finite number > 0, got ${repetitionPenalty}`,
      {
        field: 'repetitionPenalty',
        value: repetitionPenalty,
        fix: 'use 1 for no penalty, or e.g. 1.3 to discourage repeats',
      },
    );
  }
  const eos = new Set(options.eosTokenIds ?? model.config.eosTokenIds);
  const seen = new Set(promptIds); // ids the penalty applies to: the prompt, then each generated id
  const adapters = options.adapters ?? [];
  const cache = new KvCache(model.config.numLayers);
  const out: number[] = [];
  try {
    let next: readonly number[] = promptIds;
    for (let step = 0; step < maxNewTokens; step++) {
      const logits = tf.tidy(() => {
        const ids = tf.tensor2d(Int32Array.from(next), [1, next.length], 'int32'); // [1, T]
        const hidden = model.hidden(ids, { adapters, cache }); // [T, D]
        const last = tf.slice(hidden, [next.length - 1, 0], [1, -1]) as tf.Tensor2D; // [1, D]
        return model.project(last); // [1, V]
      });
      const row = logits.dataSync() as Float32Array;
      logits.dispose();
      if (repetitionPenalty !== 1) applyRepetitionPenalty(row, seen, repetitionPenalty);
      const id = greedy ? argmax(row) : sample(row, temperature, topP, options.rng!);
      out.push(id);
      seen.add(id);
      options.onToken?.(id);
      if (eos.has(id) || options.stopAfter?.(out)) break;
      next = [id];
    }
  } finally {
    cache.dispose();
  }
  return out;
}

/** Refuses an empty prompt, ids outside the vocabulary and a `maxNewTokens` that is not a non-negative integer. */
export function checkGenerationInput(model: LlamaModel, promptIds: readonly number[], maxNewTokens: number): void {
  if (promptIds.length === 0) {
    throw new MetaLoraError('CONFIG_INVALID', 'the prompt is empty', {
      field: 'prompt',
      fix: 'give at least one prompt token',
    });
  }
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new MetaLoraError('CONFIG_INVALID', `maxNewTokens must be a non-negative integer, got ${maxNewTokens}`, {
      field: 'maxNewTokens',
      value: maxNewTokens,
      fix: 'pass e.g. --max-new-tokens 32',
    });
  }
  const V = model.config.vocabSize;
  for (const id of promptIds) {
    if (!Number.isInteger(id) || id < 0 || id >= V) {
      throw new MetaLoraError('CONFIG_INVALID', `prompt token id ${id} is outside the vocabulary [0, ${V})`, {
        field: 'prompt',
        value: id,
        fix: "use ids from this model's tokenizer",
      });
    }
  }
}

/**
 * HF's `RepetitionPenaltyLogitsProcessor`, in place on one row of logits: each distinct id of `seen` has its logit
 * divided by `penalty` when positive and multiplied by it otherwise (so a penalty > 1 always lowers it). Returns `row`.
 *
 * @example
 * applyRepetitionPenalty(Float32Array.of(2, -2, 1), [0, 1, 1], 2); // [1, -4, 1]
 */
export function applyRepetitionPenalty(row: Float32Array, seen: Iterable<number>, penalty: number): Float32Array {
  for (const id of new Set(seen)) {
    const x = row[id];
    if (x !== undefined) row[id] = x < 0 ? x * penalty : x / penalty;
  }
  return row;
}

/** The index of the largest value (the first of equals). */
export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/** Samples from softmax(row / temperature) restricted to the smallest set of ids whose mass reaches `topP`. */
function sample(row: Float32Array, temperature: number, topP: number, rng: Rng): number {
  const n = row.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, (row[i] as number) / temperature);
  const probs = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.exp((row[i] as number) / temperature - max);
    probs[i] = p;
    total += p;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (probs[b] as number) - (probs[a] as number) || a - b,
  );
  let kept = 0;
  let mass = 0;
  while (kept < n && (kept === 0 || mass / total < topP)) {
    mass += probs[order[kept] as number] as number;
    kept++;
  }
  let u = rng.next() * mass;
  for (let k = 0; k < kept; k++) {
    const id = order[k] as number;
    u -= probs[id] as number;
    if (u < 0) return id;
  }
  return order[kept - 1] as number;
}
