/**
 * The baselines MeTA-LoRA must beat, trained by the same engine and the same loop (`trainAdapter` of stage1-adapt:
 * same model, LoRA config, loss on target tokens, initial adapter θ₀ as meta-training), under the protocol of
 * `docs/protocol.md`:
 *
 *   single-task       one adapter per task, on that task's full train split
 *   multi-task-full   one adapter, all tasks' full train splits mixed (the paper's main comparator)
 *   multi-task-pool   one adapter, exactly the k-shot pool MeTA-LoRA sees, tasks mixed
 *
 * Each run has a budget of `epochs` passes over its data (at least `minSteps`; or a fixed `steps`), scores the dev set
 * (the same dev examples meta-training uses) every `evalEvery` steps, keeps the adapter at its lowest dev loss and stops
 * after `patience` evaluations without improvement. Every learning rate of the `lr` grid is trained; the lowest dev
 * loss picks the one that is saved. Mixing: the examples of all tasks form one list, walked in minibatches of a seeded
 * shuffle, reshuffled each pass. Each writes PEFT adapters under `adapters/baselines/`, plus the `baselines` Arrow
 * artifact (the selected runs) and `baseline-tuning` (every run of the grid).
 *
 * The runs are independent (each draws from its own fork of the seed's generator), so with `workers` > 0 they train
 * in worker threads (`baseline-pool.ts`), longest first; this thread rebuilds and saves each adapter, and the files
 * and rows are the same as with `workers: 0`, which trains them one after another in this thread.
 */
import { join } from 'node:path';
import { configHash, MetaLoraError, Progress, Rng, safeSegment, writeArtifact } from '@meta-lora/artifacts';
import { createLoraAdapter, type LlamaModel, savePeftAdapter, tf } from '@meta-lora/lora-core';
import { adapterValues, type DevSet, type ModelSource, resolveWorkers } from '@meta-lora/stage1-adapt';
import { type HeldWorkers, trainInWorkers } from './baseline-pool.ts';
import { BaselineRunCache, baselineRunKey, type RunOutcome } from './baseline-runs.ts';
import type { BaselineTask } from './baseline-task.ts';
import {
  BASELINE_METHODS,
  type BaselineMethod,
  type BaselineRow,
  BaselinesArtifact,
  BaselineTuningArtifact,
  type BaselineTuningRow,
} from './baselines-artifact.ts';
import { baselineLrs, baselineSteps, type MetaConfig } from './config.ts';
import { trainLora } from './train-lora.ts';

export interface BaselineOptions {
  readonly model: LlamaModel;
  /** Where worker threads load the same model from (`config.workers`; unused with 0 workers). */
  readonly modelSource: ModelSource;
  readonly config: MetaConfig;
  /** Full train split per task (single-task and multi-task-full). */
  readonly fullTrain: readonly BaselineTask[];
  /** The k-shot pool per task (multi-task-pool). */
  readonly pool: readonly BaselineTask[];
  /** Dev examples per task (`name` = task id): the same dev set meta-training selects on. */
  readonly dev?: readonly DevSet[];
  readonly runDir: string;
  /** Which baselines to train (default: all three). */
  readonly methods?: readonly BaselineMethod[];
  readonly configHash: string;
  readonly parents?: readonly string[];
  readonly baseModelNameOrPath?: string;
  /** Written into every adapter's metadata as `base_model_fingerprint`, so evaluation can refuse a mismatched base. */
  readonly fingerprint?: string;
  /** Progress on stderr over the steps of every run (a bar in a terminal, a line every ~10 s otherwise). */
  readonly progress?: boolean;
  /** Progress as lines even in a terminal (another progress display runs at the same time). */
  readonly progressLines?: boolean;
  /** Worker threads that join only when `until` settles (meta-training has their cores until then). */
  readonly held?: HeldWorkers;
}

/** One run of the grid, before training. */
interface PlannedRun {
  readonly method: BaselineMethod;
  readonly taskId: string;
  readonly tasks: readonly BaselineTask[];
  readonly dev: readonly DevSet[];
  readonly dir: string;
  readonly lr: number;
}

/**
 * Trains the baselines (every learning rate of the grid), saves the dev-selected PEFT adapters and writes
 * `baselines.arrow` and `baseline-tuning.arrow` into `runDir`; returns the selected rows.
 *
 * @example
 * const rows = await trainBaselines({ model, modelSource: { dir }, config, fullTrain, pool, dev, runDir: 'runs/x', configHash: hash });
 */
export async function trainBaselines(options: BaselineOptions): Promise<BaselineRow[]> {
  const { model, config, runDir } = options;
  const methods = options.methods ?? BASELINE_METHODS;
  const grid = baselineLrs(config.baselines);
  const lrsOf = (g: { method: string; taskId: string }) => {
    const fixed = config.baselines.lrFor[`${g.method}:${g.taskId}`];
    return fixed === undefined ? grid : [fixed];
  };
  const dev = options.dev ?? [];
  const root = Rng.fromSeed(config.seed);
  const peft = options.baseModelNameOrPath ? { baseModelNameOrPath: options.baseModelNameOrPath } : {};
  const devOf = (taskIds: readonly string[]) => dev.filter((d) => taskIds.includes(d.name));
  const groups: Omit<PlannedRun, 'lr'>[] = [];
  if (methods.includes('single-task')) {
    for (const task of options.fullTrain) {
      groups.push({
        method: 'single-task',
        taskId: task.taskId,
        tasks: [task],
        dev: devOf([task.taskId]),
        dir: join('adapters', 'baselines', 'single-task', safeSegment(task.taskId, 'task id')),
      });
    }
  }
  const multiTask = [
    ['multi-task-full', options.fullTrain],
    ['multi-task-pool', options.pool],
  ] as const;
  for (const [method, tasks] of multiTask) {
    if (!methods.includes(method)) continue;
    groups.push({
      method,
      taskId: '*',
      tasks,
      dev: devOf(tasks.map((t) => t.taskId)),
      dir: join('adapters', 'baselines', method),
    });
  }
  if (dev.length === 0 && groups.some((g) => lrsOf(g).length > 1)) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `config \`baselines.lr\`: a grid of ${grid.length} learning rates needs dev examples to choose between them, and there are none`,
      {
        field: 'baselines.lr',
        value: config.baselines.lr,
        fix: 'set devQuerySize > 0 (and give the tasks dev examples), or give `baselines.lr` a single value',
      },
    );
  }
  // Grid runs of one method and task share their generator streams: learning rate is the only difference.
  const runs: PlannedRun[] = groups.flatMap((g) => lrsOf(g).map((lr) => ({ ...g, lr })));
  const firstRun = groups.map((_, g) => groups.slice(0, g).reduce((n, x) => n + lrsOf(x).length, 0));
  const rngOf = (run: PlannedRun) => root.fork(`baseline:${run.method}:${run.taskId}`);
  // Progress over the step budgets: a run's count rises as it reports steps and jumps to its budget when it ends.
  const budgets = runs.map((run) => baselineSteps(config.baselines, run.tasks.flatMap((t) => t.examples).length));
  const stepsDone = runs.map(() => 0);
  let runsDone = 0;
  const progress = options.progress
    ? new Progress({
        label: `baselines (${runs.length} runs)`,
        total: budgets.reduce((a, b) => a + b, 0),
        unit: 'step',
        ...(options.progressLines ? { lines: true } : {}),
      })
    : null;
  const onStep = (i: number, step: number, loss?: number) => {
    stepsDone[i] = step;
    const fields = { note: `${runsDone}/${runs.length} runs done`, ...(loss === undefined ? {} : { loss }) };
    progress?.update(
      stepsDone.reduce((a, b) => a + b, 0),
      fields,
    );
  };
  const onRunDone = (i: number) => {
    runsDone++;
    onStep(i, budgets[i] as number);
  };
  const nameOf = (run: PlannedRun) => `${run.method}:${run.taskId}`;
  // Runs a killed stage had finished are taken from the cache; the others train and are cached as they end.
  const cache = new BaselineRunCache(runDir);
  const { lr: _grid, lrFor: _fixed, ...settings } = config.baselines;
  const keys = runs.map((run) =>
    baselineRunKey({
      fingerprint: options.fingerprint ?? null,
      lora: config.lora,
      baselines: settings,
      seed: config.seed,
      method: run.method,
      taskId: run.taskId,
      lr: run.lr,
      tasks: configHash(run.tasks),
      dev: configHash(run.dev),
    }),
  );
  const outcomes: (RunOutcome | undefined)[] = keys.map((key) => cache.read(key));
  const todo = runs.flatMap((_, i) => (outcomes[i] === undefined ? [i] : []));
  for (const [i, outcome] of outcomes.entries()) {
    if (!outcome) continue;
    // a cached run: its steps count, but not in the rate
    runsDone++;
    stepsDone[i] = budgets[i] as number;
    progress?.skip(stepsDone[i], { note: `${runsDone}/${runs.length} runs done` });
  }
  const finish = (i: number, outcome: RunOutcome) => {
    cache.write(keys[i] as string, outcome);
    outcomes[i] = outcome;
  };
  const workers = resolveWorkers(config.workers, todo.length);
  if (workers === 0) {
    for (const i of todo) {
      const run = runs[i] as PlannedRun;
      const { adapter, ...result } = trainLora(
        model,
        run.tasks,
        config.lora,
        config.baselines,
        run.lr,
        run.dev,
        rngOf(run),
        nameOf(run),
        root.fork('shared-init'), // the θ₀ meta-training starts from
        (step, loss) => onStep(i, step, loss),
      );
      onRunDone(i);
      const values = adapterValues(adapter);
      adapter.dispose();
      finish(i, { values, result });
    }
  } else if (todo.length > 0) {
    await trainInWorkers(
      todo.map((i) => {
        const run = runs[i] as PlannedRun;
        return {
          name: nameOf(run),
          tasks: run.tasks,
          dev: run.dev,
          lr: run.lr,
          rngState: rngOf(run).state(),
          initState: root.fork('shared-init').state(),
        };
      }),
      {
        modelSource: options.modelSource,
        lora: config.lora,
        baselines: config.baselines,
        workers,
        ...(options.held ? { held: options.held } : {}),
        onStep: (j, step, loss) => onStep(todo[j] as number, step, loss),
        onRunDone: (j, { values, ...result }) => {
          onRunDone(todo[j] as number);
          finish(todo[j] as number, { values: new Map(values), result });
        },
      },
    );
  }

  progress?.stop();
  const rows: BaselineRow[] = [];
  const tuning: BaselineTuningRow[] = [];
  for (const [g, group] of groups.entries()) {
    const candidates = lrsOf(group).map((_, j) => (firstRun[g] as number) + j);
    // lowest dev loss; ties (and runs without dev) go to the earlier learning rate of the grid
    let chosen = candidates[0] as number;
    for (const i of candidates) {
      const loss = (outcomes[i] as RunOutcome).result.bestDevLoss;
      const best = (outcomes[chosen] as RunOutcome).result.bestDevLoss;
      if (loss !== null && best !== null && loss < best) chosen = i;
    }
    for (const i of candidates) {
      const { result } = outcomes[i] as RunOutcome;
      const run = runs[i] as PlannedRun;
      tuning.push({
        method: run.method,
        taskId: run.taskId,
        lr: run.lr,
        steps: result.losses.length,
        bestStep: result.bestStep,
        ...(result.bestDevLoss === null ? {} : { devLossBest: result.bestDevLoss }),
        selected: i === chosen,
      });
    }
    const { values, result } = outcomes[chosen] as RunOutcome;
    const run = runs[chosen] as PlannedRun;
    const adapter = createLoraAdapter(model, config.lora, root.fork('shared-init'), nameOf(run));
    try {
      // In a tidy: setFromArrays leaves the tensors it assigns from.
      tf.tidy(() => adapter.setFromArrays(values));
      await savePeftAdapter(adapter, join(runDir, group.dir), {
        ...peft,
        metadata: {
          method: run.method,
          taskId: run.taskId,
          lr: String(run.lr),
          bestStep: String(result.bestStep),
          ...(options.fingerprint ? { base_model_fingerprint: options.fingerprint } : {}),
        },
      });
    } finally {
      adapter.dispose();
    }
    rows.push({
      method: run.method,
      taskId: run.taskId,
      adapterDir: run.dir,
      lr: run.lr,
      steps: result.losses.length,
      bestStep: result.bestStep,
      lossFirst: result.losses[0] as number,
      lossLast: result.losses[result.losses.length - 1] as number,
      ...(result.devCurve[0] === undefined ? {} : { devLossInitial: result.devCurve[0].loss }),
      ...(result.bestDevLoss === null ? {} : { devLossBest: result.bestDevLoss }),
      examples: result.examples,
      tokens: result.tokens,
      examplesTrained: result.examplesTrained,
      tokensTrained: result.tokensTrained,
    });
  }
  const lineage = {
    configHash: options.configHash,
    seed: config.seed,
    parents: [...(options.parents ?? [])],
    createdBy: '@meta-lora/stage2-meta trainBaselines',
  };
  writeArtifact(join(runDir, 'baseline-tuning.arrow'), BaselineTuningArtifact, tuning, lineage);
  writeArtifact(join(runDir, 'baselines.arrow'), BaselinesArtifact, rows, lineage);
  cache.clear();
  return rows;
}
