/**
 * Scores one task's test examples under one condition (a set of adapters, and optionally in-context
 * demonstrations). All metrics are percentages in [0, 100]:
 *
 * - classification: each choice's total log-likelihood given the prompt; the prediction is the argmax (ties go to
 *   the earlier choice). Accuracy and macro-F1.
 * - generation / translation: greedy decoding until EOS, a newline (when the reference has none) or `maxNewTokens`
 *   (default: the task's longest target in tokens + 4, at most 64). Normalised exact match (`normalizeAnswer`) and
 *   corpus chrF (sacreBLEU defaults) of the decoded text against the target.
 * - every type: target loss = −Σ log p(target tokens) / Σ target tokens over the task (token-weighted mean NLL, nats).
 *
 * Per example (`examples`, in input order) it keeps what a resample of the test set needs to recompute the task score:
 * the 0/100 hit of accuracy or exact match, the chrF statistics of decoded tasks (corpus chrF is not a mean of
 * sentence scores), and the target NLL with its token count.
 *
 * Token layout — the trainers' (`encodeExample` + `idExampleBatch` of lora-core), so the target loss here is the
 * training loss on test data (`train-eval-loss-parity.test.ts`): context = encode(prefix + input) with the
 * tokenizer's special tokens (BOS); continuation = encode(target) without them, followed by EOS when the tokenizer has
 * one (training learns to end the answer there). With `maxSeqLen` (the trainers' setting) a prompt too long for
 * BOS + prompt + continuation loses tokens from the left, as in training (for classification, the longest choice
 * sets the cut, so every choice is scored on the same context). In-context prompts (a `promptPrefix`) are cut only
 * to the model's context, from the left; their demonstrations run once and are shared by the prompts that keep the
 * same part of them (and, when generating, have the same length), equal to running each prompt whole up to float
 * rounding.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { Example } from '@meta-lora/data-sampling';
import { generateGreedyBatch, type LlamaModel, type LoraAdapter, prefixCache } from '@meta-lora/lora-core';
import { chrfFromStatistics, chrfStatistics } from './chrf.ts';
import { accuracy, macroF1, majorityClassRate } from './classification-metrics.ts';
import { exactMatch } from './normalize-answer.ts';
import {
  MAX_BATCH_TOKENS,
  maxSequenceLength,
  packBatches,
  prefixGroups,
  type ScoredSequence,
  scoreSequences,
} from './sequence-scores.ts';
import { PRIMARY_METRIC, type TaskType } from './task-type.ts';
import type { TextCodec } from './text-codec.ts';

/** The fields of a test example that scoring reads. */
export type EvalExample = Pick<Example, 'input' | 'target' | 'choices'>;

export interface TaskMetrics {
  readonly taskType: TaskType;
  /** Name of the primary metric: accuracy, exactMatch or chrF. */
  readonly primaryMetric: (typeof PRIMARY_METRIC)[TaskType];
  /** The primary metric's value, in [0, 100]. */
  readonly score: number;
  readonly accuracy?: number;
  readonly macroF1?: number;
  readonly exactMatch?: number;
  readonly chrF?: number;
  /** Token-weighted mean negative log-likelihood of the targets (nats per token). */
  readonly targetLoss: number;
  readonly numTestExamples: number;
  /** Classification: share of the most frequent gold label, in [0, 100] (the score of always predicting it). */
  readonly majorityClassRate?: number;
  /** Predictions (chosen label or decoded text), in example order. */
  readonly predictions: readonly string[];
  /** Per-example results, in example order. */
  readonly examples: readonly ExampleScore[];
}

/** One test example's contribution to its task's metrics. */
export interface ExampleScore {
  /** Classification: 100 when the predicted label is the gold one, else 0. Generation: exact match, 0 or 100. */
  readonly score?: 0 | 100;
  /** Generation and translation: `chrfStatistics(prediction, target)`; summed over examples they give corpus chrF. */
  readonly chrfStatistics?: readonly number[];
  /** −Σ log p(target tokens), nats. */
  readonly targetNll: number;
  /** Target tokens scored. */
  readonly targetTokens: number;
}

export interface TaskEvalOptions {
  readonly adapters?: readonly LoraAdapter[];
  /** Text prepended to every prompt (in-context demonstrations, see `inContextPrefix`). */
  readonly promptPrefix?: string;
  readonly maxNewTokens?: number;
  /** Sequences per forward pass when scoring, and prompts per batch when generating (default 8). */
  readonly batchSize?: number;
  /** The trainers' longest sequence: longer prompts lose tokens from the left, as in training (default: no cut). */
  readonly maxSeqLen?: number;
  /**
   * Padded positions per batch when scoring and when generating (prompt and new tokens, a shared prefix's cached copy
   * in each row counted when generating; default `MAX_BATCH_TOKENS`).
   */
  readonly maxBatchTokens?: number;
}

/**
 * @example
 * const m = evaluateTask(model, tokenizer, testExamples, 'classification', { adapters: [shared] });
 * m.accuracy; m.targetLoss;
 */
export function evaluateTask(
  model: LlamaModel,
  codec: TextCodec,
  examples: readonly EvalExample[],
  taskType: TaskType,
  options: TaskEvalOptions = {},
): TaskMetrics {
  if (examples.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', 'no test examples to evaluate', {
      fix: 'evaluate tasks that have examples in the test split',
    });
  }
  const prefix = options.promptPrefix ?? '';
  const adapters = options.adapters ?? [];
  const batchSize = options.batchSize ?? 8;
  const eosIds = codec.eosTokenId === undefined ? [] : [codec.eosTokenId];
  /** A label or target as the trainers encode it: its tokens, then EOS. */
  const continuation = (text: string) => [...codec.encode(text, { addSpecialTokens: false }), ...eosIds];
  const targets = examples.map((e) => continuation(e.target));
  const contexts = examples.map((e, i) => {
    const ctx = codec.encode(prefix + e.input, { addSpecialTokens: true });
    if (options.maxSeqLen === undefined || prefix !== '') return ctx;
    const longest =
      taskType === 'classification'
        ? Math.max(...(e.choices ?? []).map((c) => continuation(c).length), targets[i]!.length)
        : targets[i]!.length;
    return cutPrompt(ctx, codec.encode(e.input, { addSpecialTokens: false }).length, longest, options.maxSeqLen);
  });
  const base = { taskType, numTestExamples: examples.length, primaryMetric: PRIMARY_METRIC[taskType] };
  // In-context prompts share their demonstrations: scoring runs them once per group of prompts that lost the same
  // first tokens to the model's context (one group when none is cut), generation once per such group of one length
  // (`prefixGroups`); a prompt alone in its group runs whole.
  const maxBatchTokens = options.maxBatchTokens ?? MAX_BATCH_TOKENS;
  const scoring = {
    adapters,
    batchSize,
    maxBatchTokens,
    ...(prefix === '' ? {} : { sharedPrefix: codec.encode(prefix, { addSpecialTokens: true }) }),
  };

  if (taskType === 'classification') {
    const sequences: ScoredSequence[] = [];
    const spans: { start: number; choices: readonly string[]; gold: number }[] = [];
    examples.forEach((e, i) => {
      const choices = e.choices ?? [];
      if (choices.length < 2) {
        throw new MetaLoraError(
          'DATA_INVALID',
          `classification example ${i + 1} has ${choices.length} choices; label scoring needs at least 2`,
          { line: i + 1, field: 'choices', value: e.choices, fix: 'give every classification example its label set' },
        );
      }
      const gold = choices.indexOf(e.target);
      spans.push({ start: sequences.length, choices, gold });
      for (const c of choices) {
        sequences.push({ context: contexts[i]!, continuation: continuation(c) });
      }
      // A target outside the label set still gets a loss; it can never be predicted.
      if (gold < 0) sequences.push({ context: contexts[i]!, continuation: targets[i]! });
    });
    const scores = scoreSequences(model, sequences, scoring);
    const predictions: string[] = [];
    const perExample: ExampleScore[] = [];
    let nll = 0;
    let tokens = 0;
    spans.forEach(({ start, choices, gold }) => {
      let best = 0;
      for (let j = 1; j < choices.length; j++) {
        if (scores[start + j]!.logLikelihood > scores[start + best]!.logLikelihood) best = j;
      }
      predictions.push(choices[best]!);
      const goldScore = scores[gold >= 0 ? start + gold : start + choices.length]!;
      nll -= goldScore.logLikelihood;
      tokens += goldScore.numTokens;
      perExample.push({
        score: best === gold ? 100 : 0,
        targetNll: -goldScore.logLikelihood,
        targetTokens: goldScore.numTokens,
      });
    });
    const gold = examples.map((e) => e.target);
    const acc = 100 * accuracy(predictions, gold);
    return {
      ...base,
      score: acc,
      accuracy: acc,
      macroF1: 100 * macroF1(predictions, gold),
      targetLoss: nll / tokens,
      majorityClassRate: 100 * majorityClassRate(gold),
      predictions,
      examples: perExample,
    };
  }

  const losses = scoreSequences(
    model,
    examples.map((_, i) => ({ context: contexts[i]!, continuation: targets[i]! })),
    scoring,
  );
  const nll = -losses.reduce((s, l) => s + l.logLikelihood, 0);
  const tokens = losses.reduce((s, l) => s + l.numTokens, 0);
  const longest = Math.max(...targets.map((t) => t.length - eosIds.length));
  const maxNewTokens = options.maxNewTokens ?? Math.min(64, longest + 4);
  const eos = codec.eosTokenId === undefined ? model.config.eosTokenIds : [codec.eosTokenId];
  const room = maxSequenceLength(model) - maxNewTokens;
  const prompts = contexts.map((ctx) => (ctx.length > room ? ctx.slice(ctx.length - room) : ctx));
  const multiline = examples.map((e) => e.target.includes('\n'));
  // A one-line answer ends at the first newline: the tokens after it would be cut away, so they are not decoded.
  const stopAfter = (i: number, ids: readonly number[]) =>
    !multiline[i] && codec.decode(ids, { skipSpecialTokens: true }).includes('\n');
  const generated: number[][] = new Array(prompts.length);
  const demonstrations = scoring.sharedPrefix ?? [];
  const shared = prefixGroups(contexts, prompts, demonstrations, true);
  const runs = [
    ...(shared.others.length > 0 ? [{ prefix: [] as readonly number[], members: shared.others }] : []),
    ...shared.groups.map((g) => ({ prefix: demonstrations.slice(g.cut), members: g.members })),
  ];
  for (const group of runs) {
    // A group's prompts follow its prefix, run once; the others are left-padded (the prefix is then empty).
    const prefix = group.prefix.length > 0 ? prefixCache(model, group.prefix, { adapters }) : undefined;
    try {
      // Batches as scoring packs them: at most `batchSize` prompts and `maxBatchTokens` padded positions, the prefix's
      // copy in every row's cache included (whole prompts and the new tokens). Eight in-context prompts of ~1,000
      // tokens at once grew the wasm heap to its 4 GiB limit, and it broke.
      const budgeted = group.members.map((i) => ({
        context: prompts[i]!,
        continuation: new Array<number>(maxNewTokens).fill(0),
      }));
      let start = 0;
      for (const batch of packBatches(budgeted, batchSize, maxBatchTokens)) {
        const members = group.members.slice(start, start + batch.length);
        const stop = (row: number, ids: readonly number[]) => stopAfter(members[row]!, ids);
        const ids = batch.map((b) => b.context.slice(group.prefix.length));
        const options = { maxNewTokens, eosTokenIds: eos, adapters, stopAfter: stop, ...(prefix ? { prefix } : {}) };
        generateGreedyBatch(model, ids, options).forEach((out, row) => {
          generated[members[row]!] = out;
        });
        start += batch.length;
      }
    } finally {
      prefix?.dispose();
    }
  }
  const predictions = generated.map((ids, i) => {
    const text = codec.decode(ids, { skipSpecialTokens: true });
    return multiline[i] ? text : (text.split('\n')[0] ?? '');
  });
  const hits = predictions.map((p, i) => exactMatch(p, examples[i]!.target));
  const em = (100 * hits.filter((h) => h).length) / examples.length;
  // Corpus chrF = chrF of the summed segment statistics (what `corpusChrf` computes), kept per example.
  const stats = predictions.map((p, i) => chrfStatistics(p, examples[i]!.target));
  const total = stats.reduce((sum, x) => sum.map((v, j) => v + x[j]!));
  const chrF = chrfFromStatistics(total);
  return {
    ...base,
    score: taskType === 'translation' ? chrF : em,
    exactMatch: em,
    chrF,
    targetLoss: nll / tokens,
    predictions,
    examples: losses.map((l, i) => ({
      ...(taskType === 'translation' ? {} : { score: hits[i] ? 100 : 0 }),
      chrfStatistics: stats[i]!,
      targetNll: -l.logLikelihood,
      targetTokens: l.numTokens,
    })),
  };
}

/**
 * `context` (special tokens, then `promptLength` prompt tokens) cut as `idExampleBatch` cuts a training example: the
 * leading special tokens stay, the prompt loses tokens from the left until context + `targetLength` ≤ `maxSeqLen`.
 *
 * @example
 * cutPrompt([0, 5, 6, 7], 3, 2, 5); // [0, 6, 7]
 */
export function cutPrompt(
  context: readonly number[],
  promptLength: number,
  targetLength: number,
  maxSeqLen: number,
): number[] {
  const specials = context.length - promptLength;
  const keep = Math.max(0, Math.min(promptLength, maxSeqLen - specials - targetLength));
  return [...context.slice(0, specials), ...context.slice(context.length - keep)];
}
