/**
 * Test-only synthetic `eval-results` rows with known values: two tasks, two seeds, k ∈ {4, 8}, every method.
 * The score of a row is a simple function of method, task, k and seed, so summaries can be checked by hand.
 */
import type { Method } from './conditions.ts';
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
