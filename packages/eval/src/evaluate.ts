/**
 * `evaluate`: scores every condition on every selected task's test split and returns (and optionally writes) the
 * `eval-results` rows, with the `eval-cells` and `eval-examples` rows beside them. Everything that can be wrong with the inputs is checked before the first forward pass — the
 * tasks artifact (kind, schema version, content hash), tasks absent from the test split, condition fields, adapter
 * directories and their base-model fingerprint — so a bad input fails fast and no partial results are written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  configHash,
  type Lineage,
  MetaLoraError,
  readArtifact,
  sha256Hex,
  showValue,
  writeArtifact,
} from '@meta-lora/artifacts';
import { type Example, TasksArtifact } from '@meta-lora/data-sampling';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  backendInfo,
  loadModel,
  modelTextFileHashes,
  readPeftConfig,
  readPeftMetadata,
} from '@meta-lora/lora-core';
import { EVAL_CELLS_FILE, type EvalCellRow, EvalCellsArtifact } from './cells-artifact.ts';
import { type EvalCondition, type EvalConditionInput, parseCondition } from './conditions.ts';
import { type EvalCellResult, evaluateCell, loadAdapter } from './eval-cell.ts';
import { EVAL_CELL_RUNS_DIR, EvalCellCache, evalCellKey } from './eval-cell-cache.ts';
import { type EvalCellJob, EvalRunner, resolveEvalWorkers } from './eval-runner.ts';
import { EVAL_EXAMPLES_FILE, type EvalExampleRow, EvalExamplesArtifact } from './examples-artifact.ts';
import { type EvalResultRow, EvalResultsArtifact, sortResultRows } from './results-artifact.ts';
import { inferTaskType, TASK_TYPES, type TaskType } from './task-type.ts';
import type { TextCodec } from './text-codec.ts';

/** Key of the base-model fingerprint in an adapter's `meta_lora.*` safetensors metadata. */
export const FINGERPRINT_KEY = 'base_model_fingerprint';

export interface EvaluateOptions {
  /** Hugging Face model directory of the base model every adapter was trained on. */
  readonly modelDir: string;
  /** The `tasks` artifact (data-sampling); its `test` split is evaluated. */
  readonly tasksPath: string;
  /** The conditions to score (see `EvalConditionSchema`). */
  readonly conditions: readonly EvalConditionInput[];
  /** Tasks to evaluate (default: every task with test examples). A listed task without test examples is an error. */
  readonly taskIds?: readonly string[];
  /** Scoring type per task id, overriding `inferTaskType`. */
  readonly taskTypes?: Readonly<Record<string, TaskType>>;
  /** Score only the first N test examples of each task (by example id). */
  readonly maxTestExamplesPerTask?: number;
  /** Greedy decoding budget of generation tasks (default: longest target + 4 tokens, at most 64). */
  readonly maxNewTokens?: number;
  /** Sequences per forward pass when scoring (default 8). */
  readonly batchSize?: number;
  /** The trainers' longest sequence: longer prompts lose tokens from the left, as in training (default: no cut). */
  readonly maxSeqLen?: number;
  /** Accept adapters whose metadata lacks `meta_lora.base_model_fingerprint` (e.g. trained in Python PEFT). */
  readonly allowAdaptersWithoutFingerprint?: boolean;
  /** Use this tokenizer instead of the model directory's tokenizer.json. */
  readonly tokenizer?: TextCodec;
  /**
   * Worker threads to score cells on (default 0: this thread). `auto`: one per core, none on a single core. Each
   * worker loads its own copy of the model from `modelDir`; the rows are identical to the in-thread ones. With a
   * custom `tokenizer` cells always run in this thread (a codec object cannot be posted to a worker).
   */
  readonly workers?: number | 'auto';
  /**
   * Write the `eval-results` artifact here, and the `eval-cells` and `eval-examples` artifacts beside it
   * (`eval-cells.arrow`, `eval-examples.arrow` in the same directory, unless `cellsOutPath` / `examplesOutPath`).
   */
  readonly outPath?: string;
  /** Where the `eval-cells` artifact goes (default: `eval-cells.arrow` beside `outPath`). */
  readonly cellsOutPath?: string;
  /** Where the `eval-examples` artifact goes (default: `eval-examples.arrow` beside `outPath`). */
  readonly examplesOutPath?: string;
  /** Called after each method × task × seed × k cell (with workers: as rows arrive, not in row order). */
  readonly onProgress?: (done: number, total: number, row: EvalResultRow) => void;
}

export interface EvaluateResult {
  readonly rows: EvalResultRow[];
  /** One per row, in the same order: majority-class rate and trained counts. */
  readonly cells: EvalCellRow[];
  /** Every scored test example of every row, in the rows' order, then test order. */
  readonly examples: EvalExampleRow[];
  /** Lineage of the results (also in the written artifact's metadata). */
  readonly lineage: Omit<Lineage, 'artifactId' | 'kind' | 'schemaVersion'> & { artifactId?: string };
}

/**
 * @example
 * const { rows } = await evaluate({
 *   modelDir: 'models/meta-lora-base', tasksPath: 'runs/x/tasks.arrow', outPath: 'runs/x/eval-results.arrow',
 *   conditions: [
 *     { method: 'base-zero-shot', seed: 0, k: null },
 *     { method: 'meta-lora-shared', seed: 0, k: 16, adapterDir: 'runs/x/adapters/shared',
 *       examplesUsed: { sentiment: 16 }, tokensUsed: { sentiment: 812 } },
 *   ],
 * });
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const tasks = readArtifact(options.tasksPath, TasksArtifact);
  const byTask = testExamplesByTask(tasks.rows, options);
  const taskIds = [...byTask.keys()];
  const conditions = options.conditions.map((c, i) => parseCondition(c, i, taskIds));
  if (conditions.length === 0) {
    throw new MetaLoraError('CONFIG_INVALID', 'no conditions to evaluate', {
      field: 'conditions',
      fix: 'pass at least one condition, e.g. { method: "base-zero-shot", seed: 0, k: null }',
    });
  }
  const taskTypes = new Map(taskIds.map((t) => [t, resolveTaskType(t, byTask.get(t)!, options.taskTypes)]));

  const loaded = await loadModel(options.modelDir);
  const results: EvalCellResult[] = [];
  let adapterHashes: Map<string, string>;
  let cache: EvalCellCache | undefined;
  try {
    const codec = options.tokenizer ?? loaded.tokenizer;
    if (!codec) {
      throw new MetaLoraError('TOKENIZER_INVALID', `${options.modelDir} has no tokenizer.json; evaluation needs one`, {
        path: options.modelDir,
        fix: 'add the tokenizer files of the model to its directory',
      });
    }
    adapterHashes = checkAdapters(conditions, loaded.fingerprint, options.allowAdaptersWithoutFingerprint ?? false);
    const cells = conditions.flatMap((condition) => taskIds.map((taskId) => ({ condition, taskId })));
    const total = cells.length;
    const scoring = {
      ...(options.maxNewTokens === undefined ? {} : { maxNewTokens: options.maxNewTokens }),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.maxSeqLen === undefined ? {} : { maxSeqLen: options.maxSeqLen }),
    };
    // Finished cells are kept beside the results until they are written (a killed run resumes); with a custom codec,
    // which cannot be hashed, every cell is scored.
    cache = options.outPath && options.tokenizer === undefined ? new EvalCellCache(cellRunsDir(options)) : undefined;
    // Beyond the weights: the tokenizer and generation files, and each adapter's config, change scores too.
    const modelFiles = modelTextFileHashes(options.modelDir);
    const adapterConfig = (dir: string | undefined) =>
      dir === undefined ? undefined : fileHash(join(dir, ADAPTER_CONFIG_FILE));
    const keys = cells.map(({ condition, taskId }) =>
      evalCellKey({
        model: loaded.fingerprint,
        modelFiles,
        backend: backendInfo()?.name ?? null,
        condition: byContent(condition, adapterHashes),
        adapterConfigs: [condition.adapterDir, condition.adapterDirByTask?.[taskId]].map(adapterConfig),
        taskId,
        taskType: taskTypes.get(taskId),
        examples: configHash(byTask.get(taskId)),
        scoring,
      }),
    );
    const done: (EvalCellResult | undefined)[] = cells.map((_, i) => cache?.read(keys[i] as string));
    let count = 0;
    for (const r of done) if (r) options.onProgress?.(++count, total, r.row);
    const finish = (i: number, result: EvalCellResult) => {
      cache?.write(keys[i] as string, result);
      done[i] = result;
      options.onProgress?.(++count, total, result.row);
    };
    const todo = cells.flatMap((_, i) => (done[i] === undefined ? [i] : []));
    // Workers load the tokenizer from modelDir: a custom codec (functions) cannot cross the thread boundary, so with
    // one the cells stay in this thread.
    const workers = resolveEvalWorkers(options.workers ?? 0, todo.length);
    if (workers > 0 && options.tokenizer === undefined) {
      const jobs: EvalCellJob[] = todo.map((i) => {
        const { condition, taskId } = cells[i]!;
        return { condition, taskId, examples: byTask.get(taskId)!, taskType: taskTypes.get(taskId)! };
      });
      const runner = EvalRunner.start({ modelDir: options.modelDir, scoring, workers });
      try {
        await runner.run(jobs, (result, j) => finish(todo[j]!, result));
      } finally {
        await runner.close();
      }
    } else {
      for (const c of conditions) {
        const mine = todo.filter((i) => cells[i]!.condition === c);
        if (mine.length === 0) continue;
        const shared = c.adapterDir === undefined ? null : loadAdapter(c.adapterDir, loaded.model, 'shared');
        try {
          for (const i of mine) {
            const taskId = cells[i]!.taskId;
            const examples = byTask.get(taskId)!;
            const type = taskTypes.get(taskId)!;
            finish(i, evaluateCell(loaded.model, codec, c, taskId, examples, type, shared, options));
          }
        } finally {
          shared?.dispose();
        }
      }
    }
    results.push(...(done as EvalCellResult[]));
  } finally {
    loaded.model.dispose();
  }

  // Cells in the rows' canonical order (their keys are the rows' keys).
  const order = new Map(results.map((r, i) => [r.row, i]));
  const sorted = sortResultRows(results.map((r) => r.row));
  const sortedResults = sorted.map((row) => results[order.get(row)!]!);
  const cells = sortedResults.map((r) => r.cell);
  const examples = sortedResults.flatMap((r) => r.examples);
  const lineageInput = {
    configHash: configHash({
      model: loaded.fingerprint,
      tasks: tasks.lineage.artifactId,
      taskIds,
      taskTypes: Object.fromEntries(taskTypes),
      // Adapters by content, not by path: equal inputs in another directory give equal lineage.
      conditions: conditions.map((c) => byContent(c, adapterHashes)),
      maxTestExamplesPerTask: options.maxTestExamplesPerTask ?? null,
      maxNewTokens: options.maxNewTokens ?? null,
      maxSeqLen: options.maxSeqLen ?? null,
    }),
    seed: null,
    parents: [tasks.lineage.artifactId],
    createdBy: '@meta-lora/eval evaluate',
  };
  if (options.outPath) {
    const lineage = writeArtifact(options.outPath, EvalResultsArtifact, sorted, lineageInput);
    // The companions name the results they belong to, so a report can tell a stale one from its own.
    const companion = { ...lineageInput, parents: [lineage.artifactId, ...lineageInput.parents] };
    const dir = dirname(options.outPath);
    writeArtifact(options.cellsOutPath ?? join(dir, EVAL_CELLS_FILE), EvalCellsArtifact, cells, companion);
    writeArtifact(options.examplesOutPath ?? join(dir, EVAL_EXAMPLES_FILE), EvalExamplesArtifact, examples, companion);
    cache?.clear();
    return { rows: sorted, cells, examples, lineage };
  }
  return { rows: sorted, cells, examples, lineage: lineageInput };
}

/** `c` with its adapter directories replaced by their content hashes (`checkAdapters`). */
function byContent(c: EvalCondition, hashes: ReadonlyMap<string, string>): Record<string, unknown> {
  return {
    ...c,
    adapterDir: c.adapterDir === undefined ? undefined : hashes.get(c.adapterDir),
    adapterDirByTask:
      c.adapterDirByTask === undefined
        ? undefined
        : Object.fromEntries(Object.entries(c.adapterDirByTask).map(([t, d]) => [t, hashes.get(d)])),
  };
}

/** A file's sha256, or 'none' when it is absent. */
function fileHash(path: string): string {
  return existsSync(path) ? sha256Hex(readFileSync(path)) : 'none';
}

/** Where a run writing its results to `outPath` keeps its finished cells. */
function cellRunsDir(options: EvaluateOptions): string {
  return join(dirname(options.outPath as string), EVAL_CELL_RUNS_DIR);
}

function testExamplesByTask(examples: readonly Example[], options: EvaluateOptions): Map<string, Example[]> {
  const test = new Map<string, Example[]>();
  for (const e of examples) {
    if (e.split !== 'test') continue;
    const list = test.get(e.taskId) ?? [];
    list.push(e);
    test.set(e.taskId, list);
  }
  const wanted = options.taskIds ?? [...test.keys()].sort();
  if (wanted.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', 'the tasks artifact has no test examples', {
      path: options.tasksPath,
      fix: 'build the tasks with a test split (data-sampling `split.test`)',
    });
  }
  const limit = options.maxTestExamplesPerTask;
  const out = new Map<string, Example[]>();
  for (const taskId of [...wanted].sort()) {
    const list = test.get(taskId);
    if (!list) {
      throw new MetaLoraError('DATA_INVALID', `task ${showValue(taskId)} is absent from the test split`, {
        path: options.tasksPath,
        field: 'taskIds',
        value: taskId,
        fix: `evaluate tasks that have test examples: ${[...test.keys()].sort().join(', ')}`,
      });
    }
    const ordered = [...list].sort((a, b) => (a.exampleId < b.exampleId ? -1 : a.exampleId > b.exampleId ? 1 : 0));
    out.set(taskId, limit === undefined ? ordered : ordered.slice(0, limit));
  }
  return out;
}

function resolveTaskType(
  taskId: string,
  examples: readonly Example[],
  overrides: Readonly<Record<string, TaskType>> | undefined,
): TaskType {
  const given = overrides?.[taskId];
  if (given === undefined) return inferTaskType(examples);
  if (!TASK_TYPES.includes(given)) {
    throw new MetaLoraError('CONFIG_INVALID', `taskTypes.${taskId} is ${showValue(given)}`, {
      field: `taskTypes.${taskId}`,
      value: given,
      fix: `use one of ${TASK_TYPES.join(', ')}`,
    });
  }
  if (given === 'classification' && examples.some((e) => (e.choices?.length ?? 0) < 2)) {
    throw new MetaLoraError('DATA_INVALID', `task ${taskId} is typed classification but has examples without choices`, {
      field: `taskTypes.${taskId}`,
      fix: 'give every example its label set, or type the task as generation',
    });
  }
  return given;
}

/** Checks every adapter directory up front; returns the sha256 of each one's weights file, keyed by directory. */
function checkAdapters(
  conditions: readonly EvalCondition[],
  fingerprint: string,
  allowMissing: boolean,
): Map<string, string> {
  const dirs = new Set<string>();
  for (const c of conditions) {
    if (c.adapterDir !== undefined) dirs.add(c.adapterDir);
    for (const d of Object.values(c.adapterDirByTask ?? {})) dirs.add(d);
  }
  const hashes = new Map<string, string>();
  for (const dir of [...dirs].sort()) {
    const weights = join(dir, ADAPTER_WEIGHTS_FILE);
    if (!existsSync(weights)) {
      throw new MetaLoraError('IO_FAILED', `adapter directory has no ${ADAPTER_WEIGHTS_FILE}`, {
        path: dir,
        fix: 'point the condition at a PEFT adapter directory written by the trainer (or rerun training)',
      });
    }
    readPeftConfig(dir);
    const found = readPeftMetadata(dir)[FINGERPRINT_KEY];
    if (found === undefined && !allowMissing) {
      throw new MetaLoraError(
        'CHECKPOINT_INVALID',
        `adapter has no meta_lora.${FINGERPRINT_KEY}, so it cannot be checked against the base model`,
        {
          path: weights,
          field: `meta_lora.${FINGERPRINT_KEY}`,
          fix: 'use an adapter trained by meta-lora, or pass allowAdaptersWithoutFingerprint (--allow-unfingerprinted)',
        },
      );
    }
    if (found !== undefined && found !== fingerprint) {
      throw new MetaLoraError(
        'CHECKPOINT_INVALID',
        `adapter was trained on another base model (fingerprint ${found.slice(0, 12)}…, this model is ${fingerprint.slice(0, 12)}…)`,
        {
          path: weights,
          field: `meta_lora.${FINGERPRINT_KEY}`,
          value: found,
          fix: 'evaluate with the model directory the adapter was trained on, or retrain the adapter on this model',
        },
      );
    }
    hashes.set(dir, sha256Hex(readFileSync(weights)));
  }
  return hashes;
}
