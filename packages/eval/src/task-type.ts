/**
 * How a task is scored. `classification`: the target is one of `choices`, picked by total log-likelihood (accuracy
 * primary, macro-F1 too). `generation`: greedy decoding, normalised exact match primary, chrF too. `translation`:
 * greedy decoding, chrF primary, exact match too. Every type also reports the mean target-token loss.
 */
import type { Example } from '@meta-lora/data-sampling';

export const TASK_TYPES = ['classification', 'generation', 'translation'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const PRIMARY_METRIC = {
  classification: 'accuracy',
  generation: 'exactMatch',
  translation: 'chrF',
} as const satisfies Record<TaskType, string>;

/**
 * The type of a task from its examples: classification when they carry `choices`, translation when the task id or
 * family names translation, generation otherwise. Pass `taskTypes` to `evaluate` to override.
 *
 * @example
 * inferTaskType([{ taskId: 'plural', family: 'plural', choices: undefined, … }]); // 'generation'
 */
export function inferTaskType(examples: readonly Pick<Example, 'taskId' | 'family' | 'choices'>[]): TaskType {
  if (examples.some((e) => e.choices !== undefined && e.choices.length > 0)) return 'classification';
  if (examples.some((e) => /translat/i.test(e.taskId) || /translat/i.test(e.family))) return 'translation';
  return 'generation';
}
