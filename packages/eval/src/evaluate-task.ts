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
 * Token layout: context = encode(prefix + input) with the tokenizer's special tokens (BOS); continuation =
 * encode(target) without them — the layout the trainers use, so the loss here is the training loss on test data.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { Example } from '@meta-lora/data-sampling';
import { generate, type LlamaModel, type LoraAdapter } from '@meta-lora/lora-core';
import { corpusChrf } from './chrf.ts';
import { accuracy, macroF1 } from './classification-metrics.ts';
import { exactMatch } from './normalize-answer.ts';
import { maxSequenceLength, type ScoredSequence, scoreSequences } from './sequence-scores.ts';
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
  /** Predictions (chosen label or decoded text), in example order. */
  readonly predictions: readonly string[];
}

export interface TaskEvalOptions {
  readonly adapters?: readonly LoraAdapter[];
  /** Text prepended to every prompt (in-context demonstrations, see `inContextPrefix`). */
  readonly promptPrefix?: string;
  readonly maxNewTokens?: number;
  /** Sequences per forward pass when scoring (default 8). */
  readonly batchSize?: number;
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
  const contexts = examples.map((e) => codec.encode(prefix + e.input, { addSpecialTokens: true }));
  const targets = examples.map((e) => codec.encode(e.target, { addSpecialTokens: false }));
  const base = { taskType, numTestExamples: examples.length, primaryMetric: PRIMARY_METRIC[taskType] };

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
        sequences.push({ context: contexts[i]!, continuation: codec.encode(c, { addSpecialTokens: false }) });
      }
      // A target outside the label set still gets a loss; it can never be predicted.
      if (gold < 0) sequences.push({ context: contexts[i]!, continuation: targets[i]! });
    });
    const scores = scoreSequences(model, sequences, { adapters, batchSize });
    const predictions: string[] = [];
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
    });
    const gold = examples.map((e) => e.target);
    const acc = 100 * accuracy(predictions, gold);
    return {
      ...base,
      score: acc,
      accuracy: acc,
      macroF1: 100 * macroF1(predictions, gold),
      targetLoss: nll / tokens,
      predictions,
    };
  }

  const losses = scoreSequences(
    model,
    examples.map((_, i) => ({ context: contexts[i]!, continuation: targets[i]! })),
    { adapters, batchSize },
  );
  const nll = -losses.reduce((s, l) => s + l.logLikelihood, 0);
  const tokens = losses.reduce((s, l) => s + l.numTokens, 0);
  const longest = Math.max(...targets.map((t) => t.length));
  const maxNewTokens = options.maxNewTokens ?? Math.min(64, longest + 4);
  const eos = codec.eosTokenId === undefined ? model.config.eosTokenIds : [codec.eosTokenId];
  const room = maxSequenceLength(model) - maxNewTokens;
  const predictions = examples.map((e, i) => {
    const ctx = contexts[i]!;
    const prompt = ctx.length > room ? ctx.slice(ctx.length - room) : ctx;
    const ids = generate(model, prompt, { maxNewTokens, greedy: true, eosTokenIds: eos, adapters });
    const text = codec.decode(ids, { skipSpecialTokens: true });
    return e.target.includes('\n') ? text : (text.split('\n')[0] ?? '');
  });
  const em = (100 * predictions.filter((p, i) => exactMatch(p, examples[i]!.target)).length) / examples.length;
  const chrF = corpusChrf(
    predictions,
    examples.map((e) => e.target),
  );
  return {
    ...base,
    score: taskType === 'translation' ? chrF : em,
    exactMatch: em,
    chrF,
    targetLoss: nll / tokens,
    predictions,
  };
}
