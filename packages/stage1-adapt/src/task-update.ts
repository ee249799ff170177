/**
 * The stage 1 → stage 2 handoff: one `task-updates` row per task of a meta-iteration, as a typed Arrow record batch, so
 * the same bytes cross worker threads, processes or machines. A row carries the task's losses and token counts and one
 * flat vector `values`:
 *
 *   mode `query-gradient`   ∇θᵢ L_query(θᵢ), the first-order MAML meta-gradient of the task
 *   mode `adapted-weights`  θᵢ itself (Reptile moves θ toward the mean θᵢ)
 *   mode `eval`             empty: only the losses (dev-set evaluation)
 *
 * `values` is the concatenation of the adapter's variables in `LoraAdapter.variables()` order (per targeted module in
 * model order: lora_A [r, I] row-major, then lora_B [O, r]). The numbers are float32 values (TF.js computes in float32)
 * stored in a float64 list, so the round trip is exact.
 */
import {
  artifactFromIPC,
  artifactToIPC,
  defineArtifactKind,
  MetaLoraError,
  Rng,
  type RngState,
} from '@meta-lora/artifacts';
import { type IdExample, type LlamaModel, type LoraAdapter, tf } from '@meta-lora/lora-core';
import { Field, Float32, List } from 'apache-arrow';
import * as z from 'zod';
import { adaptTask } from './adapt-task.ts';
import type { AdaptConfig } from './config.ts';
import { countTokens, type LossOptions, type TargetLoss, targetLoss, targetLossAndGradients } from './target-loss.ts';

export const UPDATE_MODES = ['query-gradient', 'adapted-weights', 'eval'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

export const TaskUpdateRowSchema = z.strictObject({
  iteration: z.number().int().min(0).describe('meta-iteration, 0-based'),
  taskSlot: z.number().int().min(0).describe('position of the task in the iteration’s batch (aggregation order)'),
  taskId: z.string().min(1).describe('task name'),
  mode: z.enum(UPDATE_MODES).describe('what `values` holds: query-gradient, adapted-weights, or eval (empty)'),
  queryLossBefore: z.number().describe('query loss of the shared θ, before adaptation'),
  queryLossAfter: z.number().describe('query loss of the adapted θᵢ'),
  supportLosses: z.array(z.number()).describe('support loss before each inner step'),
  supportExamples: z.number().int().min(0).describe('support examples'),
  queryExamples: z.number().int().min(0).describe('query examples'),
  supportTokens: z.number().int().min(0).describe('prompt + target tokens of the support examples (after truncation)'),
  queryTokens: z.number().int().min(0).describe('prompt + target tokens of the query examples (after truncation)'),
  queryTargetTokens: z
    .number()
    .int()
    .min(0)
    .describe('target tokens of the query set: the weight of `tokens` aggregation'),
  values: z
    .custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array')
    .describe('flat float32 vector in adapter variable order (see the module comment)'),
});

/** One task's update. */
export type TaskUpdateRow = z.infer<typeof TaskUpdateRowSchema>;

/** The `task-updates` artifact (version 2: `values` is List<Float32>, read as a Float32Array; version 1 held doubles). */
export const TaskUpdatesArtifact = defineArtifactKind({
  kind: 'task-updates',
  schemaVersion: 2,
  row: TaskUpdateRowSchema,
  types: { values: new List(new Field('item', new Float32(), false)) },
});

/** One task of a meta-iteration, as token ids. */
export interface TaskData {
  readonly taskId: string;
  readonly support: readonly IdExample[];
  readonly query: readonly IdExample[];
}

/** Everything one task update needs besides the model and the shared adapter: plain data, so it can be posted. */
export interface TaskJob {
  readonly iteration: number;
  readonly taskSlot: number;
  readonly task: TaskData;
  readonly mode: UpdateMode;
  /** State of the task's own generator (e.g. `root.fork(\`${taskId}:${iteration}\`).state()`). */
  readonly rngState: RngState;
  /** Lineage of the row's artifact. */
  readonly configHash: string;
  readonly seed: number | null;
}

/** The adapter's variables as one flat float32 vector, in `variables()` order. */
export function flattenAdapter(adapter: LoraAdapter): Float32Array {
  const out = new Float32Array(adapter.numParameters());
  let offset = 0;
  for (const v of adapter.variables()) {
    out.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return out;
}

/**
 * Splits a flat vector (`flattenAdapter`'s layout) into tensors shaped like the adapter's variables, in `variables()`
 * order; the caller disposes them.
 *
 * @example
 * const grads = unflattenAdapter(g, shared); optimizer.apply(shared.variables(), grads);
 */
export function unflattenAdapter(flat: Float32Array, adapter: LoraAdapter): tf.Tensor[] {
  let offset = 0;
  return adapter.variables().map((v) => {
    const t = tf.tensor(flat.subarray(offset, offset + v.size), v.shape);
    offset += v.size;
    return t;
  });
}

function flatten(tensors: readonly { dataSync(): ArrayLike<number>; size: number }[]): Float32Array {
  const out = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync(), offset);
    offset += t.size;
  }
  return out;
}

/** A row without `queryLossBefore`: everything computed from the adapted θᵢ (the loss of θ itself can be its own job). */
export type AdaptedUpdate = Omit<TaskUpdateRow, 'queryLossBefore'>;

/**
 * Runs stage 1 for one task and returns its handoff row: query loss of θ, θᵢ ← adapt(θ) on the support set, then the
 * query loss of θᵢ and (by mode) its query gradient or its weights. Query losses are taken without LoRA dropout.
 *
 * @example
 * const row = computeTaskUpdate(model, shared, job, adaptConfig);
 */
export function computeTaskUpdate(
  model: LlamaModel,
  shared: LoraAdapter,
  job: TaskJob,
  config: AdaptConfig,
): TaskUpdateRow {
  checkTask(job, config);
  const before = targetLoss(model, [shared], job.task.query, lossOptions(config));
  checkFinite(job, before.loss);
  return { ...computeAdaptedUpdate(model, shared, job, config, before), queryLossBefore: before.loss };
}

/**
 * The query loss of θ itself, before adaptation (the row's `queryLossBefore`); it needs no adaptation, so a pool can
 * run it as a job of its own.
 *
 * @example
 * const row = { ...computeAdaptedUpdate(model, shared, job, config), queryLossBefore: queryLossBefore(model, shared, job, config) };
 */
export function queryLossBefore(model: LlamaModel, shared: LoraAdapter, job: TaskJob, config: AdaptConfig): number {
  checkTask(job, config);
  const { loss } = targetLoss(model, [shared], job.task.query, lossOptions(config));
  checkFinite(job, loss);
  return loss;
}

/**
 * Everything of a task's row but `queryLossBefore`: θᵢ ← adapt(θ) on the support set, the query loss of θᵢ and (by
 * mode) its query gradient or its weights. `before` (the query loss of θ, when already taken) saves a pass when there
 * are no inner steps.
 *
 * @example
 * const update = computeAdaptedUpdate(model, shared, job, adaptConfig);
 */
export function computeAdaptedUpdate(
  model: LlamaModel,
  shared: LoraAdapter,
  job: TaskJob,
  config: AdaptConfig,
  before?: TargetLoss,
): AdaptedUpdate {
  checkTask(job, config);
  const { task } = job;
  const options = lossOptions(config);
  const supportTokens = task.support.length === 0 ? 0 : countTokens(task.support, config.maxSeqLen);
  const rng = Rng.fromState(job.rngState);
  const { adapter, supportLosses } = adaptTask(
    model,
    shared,
    task.support,
    config,
    rng,
    `${shared.name}/${task.taskId}`,
  );
  try {
    let query: TargetLoss;
    let values: Float32Array = new Float32Array(0);
    if (job.mode === 'query-gradient') {
      const result = targetLossAndGradients(model, adapter, task.query, options);
      query = result;
      values = flatten(result.grads);
      for (const g of result.grads) g.dispose();
    } else {
      query = before && config.innerSteps === 0 ? before : targetLoss(model, [adapter], task.query, options);
      if (job.mode === 'adapted-weights') values = flatten(adapter.variables());
    }
    checkFinite(job, query.loss);
    return {
      iteration: job.iteration,
      taskSlot: job.taskSlot,
      taskId: task.taskId,
      mode: job.mode,
      queryLossAfter: query.loss,
      supportLosses,
      supportExamples: task.support.length,
      queryExamples: task.query.length,
      supportTokens,
      queryTokens: query.tokens,
      queryTargetTokens: query.targetTokens,
      values,
    };
  } finally {
    adapter.dispose();
  }
}

function lossOptions(config: AdaptConfig): LossOptions {
  return { maxSeqLen: config.maxSeqLen, batchSize: config.innerBatchSize };
}

function checkTask({ task, iteration }: TaskJob, config: AdaptConfig): void {
  for (const role of ['support', 'query'] as const) {
    if (task[role].length === 0 && (role === 'query' || config.innerSteps > 0)) {
      throw new MetaLoraError(
        'EMPTY_TASK',
        `task \`${task.taskId}\` has an empty ${role} set at iteration ${iteration}`,
        {
          field: task.taskId,
          fix: 'give every task at least one support and one query example (check supportSize, querySize and k)',
        },
      );
    }
  }
}

function checkFinite(job: TaskJob, loss: number): void {
  if (!Number.isFinite(loss)) {
    throw new MetaLoraError('NOT_FINITE', `task \`${job.task.taskId}\`: the query loss is ${loss}`, {
      field: job.task.taskId,
      value: loss,
      fix: 'lower innerLr or metaLr, or set clipGradNorm',
    });
  }
}

/**
 * Encodes one or more rows as a `task-updates` artifact (Arrow IPC file bytes with lineage).
 *
 * @example
 * const bytes = taskUpdatesToIPC([row], { configHash: 'c0ffee', seed: 0 });
 */
export function taskUpdatesToIPC(
  rows: readonly TaskUpdateRow[],
  lineage: { readonly configHash: string; readonly seed: number | null; readonly parents?: readonly string[] },
): Uint8Array {
  return artifactToIPC(TaskUpdatesArtifact, rows, {
    configHash: lineage.configHash,
    seed: lineage.seed,
    parents: [...(lineage.parents ?? [])],
    createdBy: '@meta-lora/stage1-adapt computeTaskUpdate',
  }).bytes;
}

/**
 * Decodes `task-updates` bytes (kind, version, every row and the content hash are checked).
 *
 * @example
 * const rows = taskUpdatesFromIPC(bytes);
 */
export function taskUpdatesFromIPC(bytes: Uint8Array, label = '<task-updates bytes>'): TaskUpdateRow[] {
  return artifactFromIPC(bytes, TaskUpdatesArtifact, label).rows;
}

/**
 * An `AdaptedUpdate` as `task-updates` bytes: its row with a `queryLossBefore` of 0, a placeholder, since the query loss
 * of θ is a part of its own; `adaptedUpdateFromIPC` drops it again.
 *
 * @example
 * const update = adaptedUpdateFromIPC(adaptedUpdateToIPC(computeAdaptedUpdate(model, shared, job, config), job));
 */
export function adaptedUpdateToIPC(
  update: AdaptedUpdate,
  lineage: { readonly configHash: string; readonly seed: number | null },
): Uint8Array {
  return taskUpdatesToIPC([{ ...update, queryLossBefore: 0 }], lineage);
}

/** Decodes `adaptedUpdateToIPC`'s bytes, without the placeholder `queryLossBefore`. */
export function adaptedUpdateFromIPC(bytes: Uint8Array, label?: string): AdaptedUpdate {
  const { queryLossBefore: _placeholder, ...update } = taskUpdatesFromIPC(bytes, label)[0] as TaskUpdateRow;
  return update;
}
