/**
 * One cell of an evaluation: one condition scored on one task's test examples, as one `eval-results` row. The same
 * function runs in `evaluate`'s own thread and in the worker threads of `EvalRunner`, so a row does not depend on
 * where it was computed.
 */
import type { Example } from '@meta-lora/data-sampling';
import { type LlamaModel, type LoraAdapter, loadPeftAdapter, tf } from '@meta-lora/lora-core';
import type { EvalCondition } from './conditions.ts';
import { evaluateTask } from './evaluate-task.ts';
import { inContextPrefix } from './prompts.ts';
import type { EvalResultRow } from './results-artifact.ts';
import type { TaskType } from './task-type.ts';
import type { TextCodec } from './text-codec.ts';

/** The scoring options every cell of a run shares (see `EvaluateOptions`). */
export interface CellScoring {
  readonly maxNewTokens?: number;
  readonly batchSize?: number;
}

/**
 * `loadPeftAdapter` inside a tidy scope: lora-core's `setFromArrays` leaves the tensor it assigns from undisposed
 * (8 tensors per adapter of the tiny model); the adapter's variables survive a tidy, the temporaries do not.
 *
 * @example
 * const shared = loadAdapter('runs/x/adapters/shared', model, 'shared');
 */
export function loadAdapter(dir: string, model: LlamaModel, name: string): LoraAdapter {
  let adapter: LoraAdapter | undefined;
  tf.tidy(() => {
    adapter = loadPeftAdapter(dir, model, name);
  });
  return adapter!;
}

/**
 * Scores `condition` on one task. `shared` is the condition's shared adapter, loaded by the caller (null when it has
 * none); a per-task adapter (`adapterDirByTask`) is loaded here and disposed afterwards.
 *
 * @example
 * const row = evaluateCell(model, tokenizer, condition, 'sentiment', testExamples, 'classification', shared, {});
 */
export function evaluateCell(
  model: LlamaModel,
  codec: TextCodec,
  c: EvalCondition,
  taskId: string,
  examples: readonly Example[],
  taskType: TaskType,
  shared: LoraAdapter | null,
  scoring: CellScoring,
): EvalResultRow {
  const perTaskDir = c.adapterDirByTask?.[taskId];
  const own = perTaskDir === undefined ? null : loadAdapter(perTaskDir, model, `task:${taskId}`);
  const demos = c.supportByTask?.[taskId] ?? [];
  try {
    const adapters = own ? [own] : shared ? [shared] : [];
    const m = evaluateTask(model, codec, examples, taskType, {
      adapters,
      promptPrefix: inContextPrefix(demos),
      ...(scoring.maxNewTokens === undefined ? {} : { maxNewTokens: scoring.maxNewTokens }),
      ...(scoring.batchSize === undefined ? {} : { batchSize: scoring.batchSize }),
    });
    const first = examples[0]!;
    const demoTokens = demos.reduce(
      (s, d) => s + codec.encode(d.input + d.target, { addSpecialTokens: false }).length,
      0,
    );
    return {
      method: c.method,
      taskId,
      family: first.family,
      language: first.language,
      taskType,
      seed: c.seed,
      ...(c.k === null ? {} : { k: c.k }),
      primaryMetric: m.primaryMetric,
      score: m.score,
      ...(m.accuracy === undefined ? {} : { accuracy: m.accuracy }),
      ...(m.macroF1 === undefined ? {} : { macroF1: m.macroF1 }),
      ...(m.exactMatch === undefined ? {} : { exactMatch: m.exactMatch }),
      ...(m.chrF === undefined ? {} : { chrF: m.chrF }),
      targetLoss: m.targetLoss,
      numTestExamples: m.numTestExamples,
      examplesUsed: c.examplesUsed?.[taskId] ?? demos.length,
      tokensUsed: c.tokensUsed?.[taskId] ?? demoTokens,
    };
  } finally {
    own?.dispose();
  }
}
