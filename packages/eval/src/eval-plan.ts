/**
 * The evaluation plan file: what `meta-lora eval` reads to know which conditions to score. JSON, written by the
 * pipeline (or by hand) next to the run's artifacts — by default `RUN_DIR/eval-plan.json`:
 *
 *   {
 *     "conditions": [
 *       { "method": "base-zero-shot", "seed": 0, "k": null },
 *       { "method": "meta-lora-shared", "seed": 0, "k": 16, "adapterDir": "adapters/meta-lora/seed-0/shared",
 *         "examplesUsed": { "sentiment": 16 }, "tokensUsed": { "sentiment": 812 } }
 *     ],
 *     "taskTypes": { "translate.fr": "translation" },
 *     "maxTestExamplesPerTask": 200
 *   }
 *
 * Relative adapter paths are resolved against the plan file's directory.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { MetaLoraError, readJsonFile } from '@meta-lora/artifacts';
import * as z from 'zod';
import { type EvalCondition, EvalConditionSchema } from './conditions.ts';
import { TASK_TYPES } from './task-type.ts';

export const EVAL_PLAN_FILE = 'eval-plan.json';

export const EvalPlanSchema = z.strictObject({
  conditions: z.array(EvalConditionSchema).min(1).describe('the conditions to score'),
  taskIds: z.array(z.string().min(1)).optional().describe('tasks to evaluate (default: all with test examples)'),
  taskTypes: z.record(z.string(), z.enum(TASK_TYPES)).optional().describe('scoring type per task id'),
  maxTestExamplesPerTask: z.number().int().positive().optional().describe('score only the first N test examples'),
  maxNewTokens: z.number().int().positive().optional().describe('greedy decoding budget of generation tasks'),
});

export type EvalPlan = z.output<typeof EvalPlanSchema>;

/**
 * Reads and validates a plan file; adapter paths come back absolute.
 *
 * @example
 * const plan = readEvalPlan('runs/x/eval-plan.json');
 */
export function readEvalPlan(path: string): EvalPlan {
  const json = readJsonFile(path, {
    what: 'the evaluation plan',
    missingFix: `write the plan as JSON (see EvalPlanSchema); the pipeline writes RUN_DIR/${EVAL_PLAN_FILE}`,
  });
  const parsed = EvalPlanSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new MetaLoraError('CONFIG_INVALID', `\`${field}\`: ${issue.message}`, {
      path,
      field,
      fix: 'see EvalPlanSchema / EvalConditionSchema for the accepted fields',
    });
  }
  const base = dirname(path);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  return {
    ...parsed.data,
    conditions: parsed.data.conditions.map(
      (c): EvalCondition => ({
        ...c,
        ...(c.adapterDir === undefined ? {} : { adapterDir: abs(c.adapterDir) }),
        ...(c.adapterDirByTask === undefined
          ? {}
          : { adapterDirByTask: Object.fromEntries(Object.entries(c.adapterDirByTask).map(([t, d]) => [t, abs(d)])) }),
      }),
    ),
  };
}
