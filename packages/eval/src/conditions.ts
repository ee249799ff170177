/**
 * The conditions `evaluate` compares, and what each needs as input. A condition is one method at one data budget
 * (k examples per task, or none for zero-shot and full-data methods) trained with one seed.
 *
 * | method                   | adapters                   | k              | needs                          |
 * | ------------------------ | -------------------------- | -------------- | ------------------------------ |
 * | `base-zero-shot`         | none                       | null           | —                              |
 * | `base-in-context`        | none                       | k              | `supportByTask` (k demos/task) |
 * | `single-task-lora`       | one per task               | null (full)    | `adapterDirByTask`             |
 * | `multi-task-lora-full`   | one shared                 | null (full)    | `adapterDir`                   |
 * | `multi-task-lora-k-shot` | one shared                 | k              | `adapterDir`                   |
 * | `meta-lora-shared`       | one shared                 | k              | `adapterDir`                   |
 * | `meta-lora-adapted`      | one per task (stage 1)     | k              | `adapterDirByTask`             |
 *
 * `examplesUsed` / `tokensUsed` give, per task id, the distinct training examples and their tokens the method had
 * access to (data-sampling's `usage` artifact has them). They may be omitted for `base-zero-shot` (0) and
 * `base-in-context` (the demonstrations, counted with the model's tokenizer). `examplesTrained` / `tokensTrained`
 * give what it actually trained on (distinct examples in its minibatches up to the selected checkpoint), per task id,
 * or under the single key `*` as one total over all tasks (multi-task LoRA); omitted, the report shows them unknown.
 */
import { MetaLoraError, showValue } from '@meta-lora/artifacts';
import * as z from 'zod';

export const METHODS = [
  'base-zero-shot',
  'base-in-context',
  'single-task-lora',
  'multi-task-lora-full',
  'multi-task-lora-k-shot',
  'meta-lora-shared',
  'meta-lora-adapted',
] as const;
export type Method = (typeof METHODS)[number];

/** Display names for tables and charts. */
export const METHOD_LABELS: Record<Method, string> = {
  'base-zero-shot': 'Base, zero-shot',
  'base-in-context': 'Base, in-context (k demos)',
  'single-task-lora': 'Single-task LoRA (full data)',
  'multi-task-lora-full': 'Multi-task LoRA (full data)',
  'multi-task-lora-k-shot': 'Multi-task LoRA (k-shot pool)',
  'meta-lora-shared': 'MeTA-LoRA shared',
  'meta-lora-adapted': 'MeTA-LoRA shared + stage-1 adaptation',
};

const ADAPTERS: Record<Method, 'none' | 'shared' | 'per-task'> = {
  'base-zero-shot': 'none',
  'base-in-context': 'none',
  'single-task-lora': 'per-task',
  'multi-task-lora-full': 'shared',
  'multi-task-lora-k-shot': 'shared',
  'meta-lora-shared': 'shared',
  'meta-lora-adapted': 'per-task',
};
const K_SHOT = new Set<Method>(['base-in-context', 'multi-task-lora-k-shot', 'meta-lora-shared', 'meta-lora-adapted']);

const Counts = z.record(z.string(), z.number().int().min(0));

export const EvalConditionSchema = z.strictObject({
  method: z.enum(METHODS).describe('which method this condition evaluates'),
  seed: z.number().int().describe('training seed of the adapters (any fixed number for the base model)'),
  k: z
    .number()
    .int()
    .positive()
    .nullable()
    .describe('examples per task the method was limited to; null for zero-shot and full-data methods'),
  adapterDir: z.string().min(1).optional().describe('PEFT adapter directory used for every task'),
  adapterDirByTask: z.record(z.string(), z.string().min(1)).optional().describe('PEFT adapter directory per task id'),
  supportByTask: z
    .record(z.string(), z.array(z.strictObject({ input: z.string(), target: z.string() })))
    .optional()
    .describe('in-context demonstrations per task id (base-in-context)'),
  examplesUsed: Counts.optional().describe('distinct training examples used, per task id'),
  tokensUsed: Counts.optional().describe('tokens of those examples (prompt + target), per task id'),
  examplesTrained: Counts.optional().describe(
    'distinct examples actually trained on (minibatches up to the selected checkpoint), per task id or `*` for a total',
  ),
  tokensTrained: Counts.optional().describe('tokens of the examples actually trained on, per task id or `*`'),
});

/** Key of `examplesTrained` / `tokensTrained` holding one total over all tasks. */
export const ALL_TASKS = '*';

export type EvalCondition = z.output<typeof EvalConditionSchema>;
export type EvalConditionInput = z.input<typeof EvalConditionSchema>;

/**
 * Validates a condition against the tasks being evaluated: the right kind of adapter input for the method, k set
 * exactly for k-shot methods, and per-task inputs for every task. `index` labels errors.
 *
 * @example
 * const c = parseCondition({ method: 'meta-lora-shared', seed: 0, k: 16, adapterDir: 'runs/x/shared', … }, 0, ['sentiment']);
 */
export function parseCondition(input: unknown, index: number, taskIds: readonly string[]): EvalCondition {
  const where = `conditions[${index}]`;
  const parsed = EvalConditionSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = `${where}.${issue.path.join('.')}`;
    throw new MetaLoraError('CONFIG_INVALID', `${field}: ${issue.message}`, {
      field,
      value: input,
      fix: 'see EvalConditionSchema for the fields of a condition',
    });
  }
  const c = parsed.data;
  const bad = (field: string, message: string, fix: string, value?: unknown): MetaLoraError =>
    new MetaLoraError('CONFIG_INVALID', `${where} (${c.method}): ${message}`, {
      field: `${where}.${field}`,
      value,
      fix,
    });
  if (K_SHOT.has(c.method) !== (c.k !== null)) {
    throw K_SHOT.has(c.method)
      ? bad('k', 'k is null but this method is limited to k examples per task', 'set k to the k-shot budget', c.k)
      : bad('k', `k is ${c.k} but this method uses no k-shot budget`, 'set k to null', c.k);
  }
  const kind = ADAPTERS[c.method];
  if (kind !== 'shared' && c.adapterDir !== undefined) {
    throw bad('adapterDir', 'this method takes no shared adapter', 'drop adapterDir', c.adapterDir);
  }
  if (kind !== 'per-task' && c.adapterDirByTask !== undefined) {
    throw bad('adapterDirByTask', 'this method takes no per-task adapters', 'drop adapterDirByTask');
  }
  if (kind === 'shared' && c.adapterDir === undefined) {
    throw bad('adapterDir', 'adapterDir is required', 'pass the PEFT directory of the shared adapter');
  }
  const need = (
    field: 'adapterDirByTask' | 'supportByTask' | 'examplesUsed' | 'tokensUsed' | 'examplesTrained' | 'tokensTrained',
    fix: string,
  ) => {
    const record = c[field];
    const missing = taskIds.filter((t) => record?.[t] === undefined);
    if (missing.length > 0) {
      throw bad(
        field,
        `no entry for task${missing.length > 1 ? 's' : ''} ${missing.map((t) => showValue(t)).join(', ')}`,
        fix,
      );
    }
  };
  if (kind === 'per-task') need('adapterDirByTask', 'give one PEFT adapter directory per evaluated task');
  if (c.method === 'base-in-context') {
    need('supportByTask', 'give the k support examples of every evaluated task');
    for (const t of taskIds) {
      // At most k: a task with fewer than k train examples pools all of them (`capK`), and shows those.
      const n = c.supportByTask![t]!.length;
      if (n < 1 || c.k === null || n > c.k) {
        throw bad(
          `supportByTask.${t}`,
          `has ${n} demonstrations, k is ${c.k}`,
          "pass the task's k-shot pool: at least 1 and at most k examples",
          n,
        );
      }
    }
  } else if (c.supportByTask !== undefined) {
    throw bad('supportByTask', 'only base-in-context takes demonstrations', 'drop supportByTask');
  }
  if (c.method !== 'base-zero-shot' && c.method !== 'base-in-context') {
    need('examplesUsed', 'pass the examples each task used (the `usage` artifact of the training run)');
    need('tokensUsed', 'pass the tokens each task used (the `usage` artifact of the training run)');
  }
  for (const field of ['examplesTrained', 'tokensTrained'] as const) {
    const record = c[field];
    if (record === undefined) continue;
    if (record[ALL_TASKS] === undefined) {
      need(field, `give the trained count of every evaluated task, or one total under ${showValue(ALL_TASKS)}`);
    } else if (Object.keys(record).length > 1) {
      throw bad(field, `mixes a total (${showValue(ALL_TASKS)}) with per-task counts`, 'pass one or the other');
    }
  }
  const total = (r: Record<string, number> | undefined) => r?.[ALL_TASKS] !== undefined;
  if (
    (c.examplesTrained === undefined) !== (c.tokensTrained === undefined) ||
    total(c.examplesTrained) !== total(c.tokensTrained)
  ) {
    throw bad(
      'tokensTrained',
      'examplesTrained and tokensTrained differ in scope',
      `pass both per task or both under ${showValue(ALL_TASKS)}, or neither`,
    );
  }
  return c;
}
