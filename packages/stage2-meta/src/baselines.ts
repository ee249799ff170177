/**
 * The baselines MeTA-LoRA must beat, trained by the same engine (same model, LoRA config, loss on target tokens,
 * initial adapter θ₀ as meta-training), each for `baselines.steps` optimizer steps of `baselines.batchSize` examples:
 *
 *   single-task       one adapter per task, on that task's full train split
 *   multi-task-full   one adapter, all tasks' full train splits mixed (the paper's main comparator)
 *   multi-task-pool   one adapter, exactly the k-shot pool MeTA-LoRA sees, tasks mixed
 *
 * Mixing: the examples of all tasks form one list, walked in minibatches of a seeded shuffle, reshuffled each pass.
 * Each writes PEFT adapters under `adapters/baselines/`, plus the `baselines` Arrow artifact summarising them.
 *
 * The runs are independent (each draws from its own fork of the seed's generator), so with `workers` > 0 they train
 * in worker threads (`baseline-pool.ts`), longest first; this thread rebuilds and saves each adapter, and the files
 * and rows are the same as with `workers: 0`, which trains them one after another in this thread.
 */
import { join } from 'node:path';
import { defineArtifactKind, MetaLoraError, Rng, writeArtifact } from '@meta-lora/artifacts';
import {
  createLoraAdapter,
  type IdExample,
  idExampleBatch,
  type LlamaModel,
  type LoraAdapter,
  type LoraConfig,
  Optimizer,
  savePeftAdapter,
  tf,
  trainStep,
} from '@meta-lora/lora-core';
import { countTokens, innerMinibatches, type ModelSource, resolveWorkers } from '@meta-lora/stage1-adapt';
import { Field, Float64, Int32, Utf8 } from 'apache-arrow';
import { z } from 'zod';
import { trainInWorkers } from './baseline-pool.ts';
import type { BaselineConfig, MetaConfig } from './config.ts';

export const BASELINE_METHODS = ['single-task', 'multi-task-full', 'multi-task-pool'] as const;
export type BaselineMethod = (typeof BASELINE_METHODS)[number];

/** One task's training examples, as token ids. */
export interface BaselineTask {
  readonly taskId: string;
  readonly examples: readonly IdExample[];
}

export interface LoraTrainResult {
  /** The trained adapter; the caller disposes it. */
  readonly adapter: LoraAdapter;
  /** Training loss of each step. */
  readonly losses: number[];
  /** Distinct examples trained on. */
  readonly examples: number;
  /** Prompt + target tokens of those examples (after truncation), each counted once. */
  readonly tokens: number;
}

/**
 * Trains one LoRA adapter on the mixed examples of `tasks` (plain supervised fine-tuning, loss on targets only).
 *
 * @example
 * const { adapter, losses } = trainLora(model, tasks, config.lora, config.baselines, Rng.fromSeed(0), 'multi-task');
 */
export function trainLora(
  model: LlamaModel,
  tasks: readonly BaselineTask[],
  lora: LoraConfig,
  config: BaselineConfig,
  rng: Rng,
  name: string,
  init: Rng = rng.fork('init'),
): LoraTrainResult {
  const examples = tasks.flatMap((t) => t.examples);
  if (examples.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', `baseline \`${name}\` has no training examples`, {
      field: name,
      fix: 'give every task at least one train example',
    });
  }
  const adapter = createLoraAdapter(model, lora, init, name);
  const optimizer = new Optimizer({ type: config.optimizer, lr: config.lr, weightDecay: 0 });
  const losses: number[] = [];
  try {
    for (const indices of innerMinibatches(examples.length, config.batchSize, config.steps, rng)) {
      const batch = idExampleBatch(
        indices.map((i) => examples[i] as IdExample),
        { maxSeqLen: config.maxSeqLen, padTokenId: 0 },
      );
      // In a tidy: Optimizer's first `apply` leaves the zerosLike tensors its slot variables were made from.
      tf.tidy(() => {
        const { loss } = trainStep(model, adapter, batch, optimizer, {
          rng,
          ...(config.clipGradNorm === null ? {} : { clipGradNorm: config.clipGradNorm }),
        });
        losses.push(loss);
      });
    }
  } catch (error) {
    adapter.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  return { adapter, losses, examples: examples.length, tokens: countTokens(examples, config.maxSeqLen) };
}

export const BaselineRowSchema = z.strictObject({
  method: z.enum(BASELINE_METHODS).describe('single-task, multi-task-full or multi-task-pool'),
  taskId: z.string().describe('the task of a single-task adapter; `*` for the multi-task ones'),
  adapterDir: z.string().min(1).describe('PEFT adapter directory, relative to the run directory'),
  steps: z.number().int().min(1).describe('optimizer steps taken'),
  lossFirst: z.number().describe('training loss of the first step'),
  lossLast: z.number().describe('training loss of the last step'),
  examples: z.number().int().min(0).describe('distinct training examples'),
  tokens: z.number().int().min(0).describe('prompt + target tokens of those examples, each counted once'),
});
export type BaselineRow = z.infer<typeof BaselineRowSchema>;

/** The `baselines` artifact (version 1). */
export const BaselinesArtifact = defineArtifactKind({
  kind: 'baselines',
  schemaVersion: 1,
  row: BaselineRowSchema,
  fields: [
    new Field('method', new Utf8(), false),
    new Field('taskId', new Utf8(), false),
    new Field('adapterDir', new Utf8(), false),
    new Field('steps', new Int32(), false),
    new Field('lossFirst', new Float64(), false),
    new Field('lossLast', new Float64(), false),
    new Field('examples', new Int32(), false),
    new Field('tokens', new Int32(), false),
  ],
});

export interface BaselineOptions {
  readonly model: LlamaModel;
  /** Where worker threads load the same model from (`config.workers`; unused with 0 workers). */
  readonly modelSource: ModelSource;
  readonly config: MetaConfig;
  /** Full train split per task (single-task and multi-task-full). */
  readonly fullTrain: readonly BaselineTask[];
  /** The k-shot pool per task (multi-task-pool). */
  readonly pool: readonly BaselineTask[];
  readonly runDir: string;
  /** Which baselines to train (default: all three). */
  readonly methods?: readonly BaselineMethod[];
  readonly configHash: string;
  readonly parents?: readonly string[];
  readonly baseModelNameOrPath?: string;
  /** Written into every adapter's metadata as `base_model_fingerprint`, so evaluation can refuse a mismatched base. */
  readonly fingerprint?: string;
}

/**
 * Trains the baselines and writes their PEFT adapters and `baselines.arrow` into `runDir`; returns the summary rows.
 *
 * @example
 * const rows = await trainBaselines({ model, modelSource: { dir }, config, fullTrain, pool, runDir: 'runs/x', configHash: hash });
 */
export async function trainBaselines(options: BaselineOptions): Promise<BaselineRow[]> {
  const { model, config, runDir } = options;
  const methods = options.methods ?? BASELINE_METHODS;
  const root = Rng.fromSeed(config.seed);
  const peft = options.baseModelNameOrPath ? { baseModelNameOrPath: options.baseModelNameOrPath } : {};
  const runs: { method: BaselineMethod; taskId: string; tasks: readonly BaselineTask[]; dir: string }[] = [];
  if (methods.includes('single-task')) {
    for (const task of options.fullTrain) {
      runs.push({
        method: 'single-task',
        taskId: task.taskId,
        tasks: [task],
        dir: join('adapters', 'baselines', 'single-task', task.taskId),
      });
    }
  }
  if (methods.includes('multi-task-full')) {
    runs.push({
      method: 'multi-task-full',
      taskId: '*',
      tasks: options.fullTrain,
      dir: join('adapters', 'baselines', 'multi-task-full'),
    });
  }
  if (methods.includes('multi-task-pool')) {
    runs.push({
      method: 'multi-task-pool',
      taskId: '*',
      tasks: options.pool,
      dir: join('adapters', 'baselines', 'multi-task-pool'),
    });
  }
  const save = async (run: (typeof runs)[number], adapter: LoraAdapter): Promise<void> => {
    try {
      await savePeftAdapter(adapter, join(runDir, run.dir), {
        ...peft,
        metadata: {
          method: run.method,
          taskId: run.taskId,
          ...(options.fingerprint ? { base_model_fingerprint: options.fingerprint } : {}),
        },
      });
    } finally {
      adapter.dispose();
    }
  };
  const row = (run: (typeof runs)[number], losses: readonly number[], examples: number, tokens: number) => ({
    method: run.method,
    taskId: run.taskId,
    adapterDir: run.dir,
    steps: losses.length,
    lossFirst: losses[0] as number,
    lossLast: losses[losses.length - 1] as number,
    examples,
    tokens,
  });
  const rows: BaselineRow[] = [];
  const workers = resolveWorkers(config.workers, runs.length);
  if (workers === 0) {
    for (const run of runs) {
      const { adapter, losses, examples, tokens } = trainLora(
        model,
        run.tasks,
        config.lora,
        config.baselines,
        root.fork(`baseline:${run.method}:${run.taskId}`),
        `${run.method}:${run.taskId}`,
        root.fork('shared-init'), // the θ₀ meta-training starts from
      );
      await save(run, adapter);
      rows.push(row(run, losses, examples, tokens));
    }
  } else {
    const results = await trainInWorkers(
      runs.map((run) => ({
        name: `${run.method}:${run.taskId}`,
        tasks: run.tasks,
        rngState: root.fork(`baseline:${run.method}:${run.taskId}`).state(),
        initState: root.fork('shared-init').state(),
      })),
      { modelSource: options.modelSource, lora: config.lora, baselines: config.baselines, workers },
    );
    for (const [i, run] of runs.entries()) {
      const { values, losses, examples, tokens } = results[i] as (typeof results)[number];
      const adapter = createLoraAdapter(model, config.lora, root.fork('shared-init'), `${run.method}:${run.taskId}`);
      try {
        // In a tidy: setFromArrays leaves the tensors it assigns from.
        tf.tidy(() => adapter.setFromArrays(new Map(values)));
      } catch (error) {
        adapter.dispose();
        throw error;
      }
      await save(run, adapter);
      rows.push(row(run, losses, examples, tokens));
    }
  }
  writeArtifact(join(runDir, 'baselines.arrow'), BaselinesArtifact, rows, {
    configHash: options.configHash,
    seed: config.seed,
    parents: [...(options.parents ?? [])],
    createdBy: '@meta-lora/stage2-meta trainBaselines',
  });
  return rows;
}
