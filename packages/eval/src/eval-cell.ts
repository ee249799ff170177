/**
 * One cell of an evaluation: one condition scored on one task's test examples, as one `eval-results` row, one
 * `eval-cells` row and the cell's `eval-examples` rows. The same function runs in `evaluate`'s own thread and in the
 * worker threads of `EvalRunner`, so a result does not depend on where it was computed.
 */
import type { Example } from '@meta-lora/data-sampling';
import { type LlamaModel, type LoraAdapter, loadPeftAdapter, tf } from '@meta-lora/lora-core';
import type { EvalCellRow } from './cells-artifact.ts';
import { ALL_TASKS, type EvalCondition } from './conditions.ts';
import { evaluateTask } from './evaluate-task.ts';
import type { EvalExampleRow } from './examples-artifact.ts';
import { inContextPrefix } from './prompts.ts';
import type { EvalResultRow } from './results-artifact.ts';
import type { TaskType } from './task-type.ts';
import type { TextCodec } from './text-codec.ts';

/** The scoring options every cell of a run shares (see `EvaluateOptions`). */
export interface CellScoring {
  readonly maxNewTokens?: number;
  readonly batchSize?: number;
  readonly maxSeqLen?: number;
}

/** What one cell yields: its row of each artifact. */
export interface EvalCellResult {
  readonly row: EvalResultRow;
  readonly cell: EvalCellRow;
  /** In test order. */
  readonly examples: EvalExampleRow[];
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
 * const { row } = evaluateCell(model, tokenizer, condition, 'sentiment', testExamples, 'classification', shared, {});
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
): EvalCellResult {
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
      ...(scoring.maxSeqLen === undefined ? {} : { maxSeqLen: scoring.maxSeqLen }),
    });
    const first = examples[0]!;
    const demoTokens = demos.reduce(
      (s, d) => s + codec.encode(d.input + d.target, { addSpecialTokens: false }).length,
      0,
    );
    const row: EvalResultRow = {
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
    const cell: EvalCellRow = {
      method: c.method,
      taskId,
      seed: c.seed,
      ...(c.k === null ? {} : { k: c.k }),
      ...(m.majorityClassRate === undefined ? {} : { majorityClassRate: m.majorityClassRate }),
      ...trainedCounts(c, taskId),
    };
    const rows: EvalExampleRow[] = m.examples.map((x, i) => ({
      method: c.method,
      taskId,
      taskType,
      seed: c.seed,
      ...(c.k === null ? {} : { k: c.k }),
      exampleIndex: i,
      exampleId: examples[i]!.exampleId,
      ...(x.score === undefined ? {} : { score: x.score }),
      ...(x.chrfStatistics === undefined ? {} : { chrfStatistics: [...x.chrfStatistics] }),
      targetNll: x.targetNll,
      targetTokens: x.targetTokens,
    }));
    return { row, cell, examples: rows };
  } finally {
    own?.dispose();
  }
}

/**
 * The trained counts of a cell: the condition's per-task counts, its total over all tasks, or 0 for the base model
 * (nothing trained); nothing when the condition does not say.
 */
function trainedCounts(
  c: EvalCondition,
  taskId: string,
): Pick<EvalCellRow, 'examplesTrained' | 'tokensTrained' | 'trainedScope'> {
  if (c.method === 'base-zero-shot' || c.method === 'base-in-context') {
    return { examplesTrained: 0, tokensTrained: 0, trainedScope: 'task' };
  }
  const examples = c.examplesTrained;
  const tokens = c.tokensTrained;
  if (examples === undefined || tokens === undefined) return {};
  const total = examples[ALL_TASKS] !== undefined;
  const key = total ? ALL_TASKS : taskId;
  return { examplesTrained: examples[key]!, tokensTrained: tokens[key]!, trainedScope: total ? 'all-tasks' : 'task' };
}
