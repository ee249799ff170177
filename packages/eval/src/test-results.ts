/**
 * Test-only synthetic `eval-results` rows with known values: two tasks, two seeds, k ∈ {4, 8}, every method.
 * The score of a row is a simple function of method, task, k and seed, so summaries can be checked by hand. Their
 * `eval-cells` and `eval-examples` companions agree with them.
 */
import type { EvalCellRow } from './cells-artifact.ts';
import type { Method } from './conditions.ts';
import type { EvalExampleRow } from './examples-artifact.ts';
import type { EvalResultRow } from './results-artifact.ts';

export const BASE_SCORE: Record<Method, number> = {
  'base-zero-shot': 20,
  'base-in-context': 30,
  'single-task-lora': 70,
  'multi-task-lora-full': 75,
  'multi-task-lora-k-shot': 40,
  'meta-lora-shared': 50,
  'meta-lora-adapted': 60,
};

const K_SHOT: Method[] = ['base-in-context', 'multi-task-lora-k-shot', 'meta-lora-shared', 'meta-lora-adapted'];

/** score = BASE_SCORE[method] + (task b ? 10 : 0) + (k === 8 ? 5 : 0) + (seed === 1 ? 2 : 0). */
export function syntheticRows(): EvalResultRow[] {
  const rows: EvalResultRow[] = [];
  for (const method of Object.keys(BASE_SCORE) as Method[]) {
    const ks = K_SHOT.includes(method) ? [4, 8] : [undefined];
    for (const taskId of ['task-a', 'task-b']) {
      for (const k of ks) {
        for (const seed of [0, 1]) {
          const score = BASE_SCORE[method] + (taskId === 'task-b' ? 10 : 0) + (k === 8 ? 5 : 0) + (seed === 1 ? 2 : 0);
          rows.push({
            method,
            taskId,
            family: taskId,
            language: 'en',
            taskType: taskId === 'task-a' ? 'classification' : 'generation',
            seed,
            ...(k === undefined ? {} : { k }),
            primaryMetric: taskId === 'task-a' ? 'accuracy' : 'exactMatch',
            score,
            ...(taskId === 'task-a' ? { accuracy: score, macroF1: score - 1 } : { exactMatch: score, chrF: score + 3 }),
            targetLoss: 3 - score / 50,
            numTestExamples: 10,
            examplesUsed: k ?? (method === 'base-zero-shot' ? 0 : 100),
            tokensUsed: (k ?? (method === 'base-zero-shot' ? 0 : 100)) * 12,
          });
        }
      }
    }
  }
  return rows;
}

/** Test examples per synthetic cell: with 100, a row's integer score is exactly the share of its hits. */
export const SYNTHETIC_EXAMPLES = 100;

/** Per row, `SYNTHETIC_EXAMPLES` examples of which the first `score` are hits (100) and the rest misses (0). */
export function syntheticExamples(rows: readonly EvalResultRow[] = syntheticRows()): EvalExampleRow[] {
  return rows.flatMap((r) =>
    Array.from({ length: SYNTHETIC_EXAMPLES }, (_, i) => ({
      method: r.method,
      taskId: r.taskId,
      taskType: r.taskType,
      seed: r.seed,
      ...(r.k === undefined ? {} : { k: r.k }),
      exampleIndex: i,
      exampleId: `${r.taskId}-${String(i).padStart(3, '0')}`,
      score: i < r.score ? (100 as const) : (0 as const),
      targetNll: r.targetLoss * 2,
      targetTokens: 2,
    })),
  );
}

/**
 * Per row: a majority-class rate of 64 on the classification task, and trained counts as `evaluate` records them: 0
 * for the base model, the access of the per-task methods, and for multi-task LoRA one total over both tasks of half
 * its access.
 */
export function syntheticCells(rows: readonly EvalResultRow[] = syntheticRows()): EvalCellRow[] {
  return rows.map((r) => {
    const multi = r.method === 'multi-task-lora-full' || r.method === 'multi-task-lora-k-shot';
    const base = r.method === 'base-zero-shot' || r.method === 'base-in-context';
    return {
      method: r.method,
      taskId: r.taskId,
      seed: r.seed,
      ...(r.k === undefined ? {} : { k: r.k }),
      ...(r.taskType === 'classification' ? { majorityClassRate: 64 } : {}),
      examplesTrained: base ? 0 : r.examplesUsed,
      tokensTrained: base ? 0 : r.tokensUsed,
      trainedScope: multi ? ('all-tasks' as const) : ('task' as const),
    };
  });
}
