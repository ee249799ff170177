/**
 * Per-iteration diagnostics of meta-training: one JSONL line per iteration in `metrics.jsonl` (written as the run goes,
 * so a crash keeps them), and at the end the `meta-diagnostics` Arrow artifact with one row per (iteration, task).
 *
 * Adaptation gain = query loss of θ − query loss of θᵢ: what k support steps buy on held-out examples of the task.
 * Task cosine = mean pairwise cosine similarity of the task vectors (query gradients, or θᵢ − θ for reptile).
 */
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { defineArtifactKind, MetaLoraError, writeFileAtomic } from '@meta-lora/artifacts';
import * as z from 'zod';

/** One task's numbers in one iteration. */
export interface TaskMetrics {
  readonly taskSlot: number;
  readonly taskId: string;
  readonly queryLossBefore: number;
  readonly queryLossAfter: number;
  readonly supportLosses: readonly number[];
  readonly queryTargetTokens: number;
}

/** One line of `metrics.jsonl`. */
export interface IterationMetrics {
  readonly iteration: number;
  /** Mean query loss of θ over the batch's tasks (before adaptation). */
  readonly queryLossBefore: number;
  /** Mean query loss of the adapted θᵢ: the meta-objective. */
  readonly queryLossAfter: number;
  readonly adaptationGain: number;
  readonly taskCosine: number | null;
  /** Global norm of the aggregated meta-gradient, before clipping. */
  readonly metaGradNorm: number;
  readonly tasks: readonly TaskMetrics[];
  /** Mean dev query loss after adaptation, on iterations that evaluated. */
  readonly devLoss?: number;
}

/**
 * Appends one iteration's line to a JSONL log, whole or not at all: an append that fails (a full disk) is cut back to
 * the file's length before it, and reported as IO_FAILED.
 *
 * @example
 * appendMetrics('runs/x/metrics.jsonl', metrics);
 */
export function appendMetrics(path: string, metrics: IterationMetrics): void {
  const before = existsSync(path) ? statSync(path).size : 0;
  try {
    appendFileSync(path, `${JSON.stringify(metrics)}\n`);
  } catch (cause) {
    try {
      truncateSync(path, before);
    } catch {
      // nothing was written, or the file is gone: nothing to cut
    }
    throw new MetaLoraError(
      'IO_FAILED',
      `could not append iteration ${metrics.iteration} to ${path}: ${(cause as Error).message}`,
      { path, fix: 'check that the directory is writable and the disk is not full' },
      { cause },
    );
  }
}

/**
 * Reads a JSONL log, keeping only iterations before `until` (a resumed run drops the lines after its checkpoint, and
 * a line torn by a kill) and rewriting the file to match.
 *
 * @example
 * const kept = truncateMetrics('runs/x/metrics.jsonl', 20);
 */
export function truncateMetrics(path: string, until: number): IterationMetrics[] {
  if (!existsSync(path)) return [];
  const kept: IterationMetrics[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const m = JSON.parse(line) as IterationMetrics;
      if (m.iteration < until) kept.push(m);
    } catch {
      // a line cut by a kill mid-write: dropped, its iteration reruns
    }
  }
  writeFileAtomic(path, kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
  return kept;
}

export const DiagnosticsRowSchema = z.strictObject({
  iteration: z.number().int().min(0).describe('meta-iteration'),
  taskSlot: z.number().int().min(0).describe('position in the batch'),
  taskId: z.string().min(1).describe('task name'),
  queryLossBefore: z.number().describe('query loss of the shared θ'),
  queryLossAfter: z.number().describe('query loss of the adapted θᵢ'),
  adaptationGain: z.number().describe('queryLossBefore − queryLossAfter'),
  supportLosses: z.array(z.number()).describe('support loss before each inner step'),
  queryTargetTokens: z.number().int().min(0).describe('target tokens of the query set'),
  taskCosine: z.number().optional().describe('the iteration’s mean pairwise task-vector cosine (absent with one task)'),
  metaGradNorm: z.number().describe('the iteration’s meta-gradient norm before clipping'),
});

export type DiagnosticsRow = z.infer<typeof DiagnosticsRowSchema>;

/** The `meta-diagnostics` artifact (version 1). */
export const DiagnosticsArtifact = defineArtifactKind({
  kind: 'meta-diagnostics',
  schemaVersion: 1,
  row: DiagnosticsRowSchema,
});

/** Flattens iteration metrics into diagnostics rows. */
export function diagnosticsRows(metrics: readonly IterationMetrics[]): DiagnosticsRow[] {
  return metrics.flatMap((m) =>
    m.tasks.map((t) => ({
      iteration: m.iteration,
      taskSlot: t.taskSlot,
      taskId: t.taskId,
      queryLossBefore: t.queryLossBefore,
      queryLossAfter: t.queryLossAfter,
      adaptationGain: t.queryLossBefore - t.queryLossAfter,
      supportLosses: [...t.supportLosses],
      queryTargetTokens: t.queryTargetTokens,
      ...(m.taskCosine === null ? {} : { taskCosine: m.taskCosine }),
      metaGradNorm: m.metaGradNorm,
    })),
  );
}
