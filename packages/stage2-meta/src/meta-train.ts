/**
 * The MeTA-LoRA meta-training loop (arXiv 2510.11598, Algorithm 1): for each meta-iteration's batch of tasks, stage 1
 * adapts a copy θᵢ of the shared adapter on the task's support set and hands over its query gradient (fomaml) or its
 * weights (reptile); stage 2 aggregates them in task-slot order and updates θ with the meta-optimizer.
 *
 * Determinism: task i of iteration t draws from `Rng.fromSeed(seed).fork(\`task:t:i:taskId\`)`, rows are aggregated in
 * a fixed order, and checkpoints hold everything that changes (θ, the optimizer's slots and step, early-stopping
 * state), so a run killed and resumed — with any number of workers — ends bit-identical to an uninterrupted one.
 *
 * Run directory:
 *   config.json          resolved config, run hash, base-model fingerprint
 *   metrics.jsonl        one line per iteration (losses before/after adaptation, gain, task cosine, dev loss)
 *   checkpoints/         iter-NNNNNN/ (adapter/, optimizer.safetensors, state.json) and `latest`
 *   adapters/shared/     the final shared adapter (PEFT)
 *   adapters/best/       the shared adapter with the lowest dev loss (PEFT), when dev tasks are given
 *   handoff.arrow        the last iteration's `task-updates` rows
 *   diagnostics.arrow    `meta-diagnostics`: one row per (iteration, task)
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  configHash,
  isMetaLoraError,
  MetaLoraError,
  Progress,
  Rng,
  writeArtifact,
  writeFileAtomic,
} from '@meta-lora/artifacts';
import {
  createLoraAdapter,
  type LlamaModel,
  type LoraAdapter,
  Optimizer,
  readJsonFile,
  savePeftAdapter,
} from '@meta-lora/lora-core';
import {
  type AdaptedUpdate,
  flattenAdapter,
  type ModelSource,
  resolveWorkers,
  type TaskData,
  type TaskJob,
  TaskRunner,
  type TaskUpdateRow,
  TaskUpdatesArtifact,
  type UpdateMode,
  unflattenAdapter,
} from '@meta-lora/stage1-adapt';
import { aggregationWeights, combineTaskVectors, meanPairwiseCosine, taskVectors } from './aggregate.ts';
import { type CheckpointState, readLatestCheckpoint, restoreCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { assertSupportedAlgorithm, type MetaConfig } from './config.ts';
import {
  appendMetrics,
  DiagnosticsArtifact,
  diagnosticsRows,
  type IterationMetrics,
  truncateMetrics,
} from './diagnostics.ts';

/** One meta-iteration's batch of tasks (data-sampling's resolved episode, encoded to token ids). */
export interface MetaEpisode {
  readonly iteration: number;
  readonly tasks: readonly TaskData[];
}

export interface MetaTrainOptions {
  /** The base model in this thread. */
  readonly model: LlamaModel;
  /** Where stage 1 workers load the same model from. */
  readonly modelSource: ModelSource;
  /** Identifies the base model in the run hash and lineage (`loadModel`'s fingerprint). */
  readonly fingerprint: string;
  /** Validated stage 2 config (`parseMetaConfig`). */
  readonly config: MetaConfig;
  /** Episode t is run at iteration t. */
  readonly episodes: readonly MetaEpisode[];
  /** Dev tasks (support from the pool, query from the dev split) for best-checkpoint selection and early stopping. */
  readonly devTasks?: readonly TaskData[];
  readonly runDir: string;
  /** Continue from `runDir`'s latest checkpoint; without it, a previous run in `runDir` is replaced. */
  readonly resume?: boolean;
  /** Artifact ids of the inputs (tasks, pool, episodes), recorded in the lineage of the outputs. */
  readonly parents?: readonly string[];
  /** Written as `base_model_name_or_path` in the PEFT files. */
  readonly baseModelNameOrPath?: string;
  /** Progress on stderr (a bar in a terminal, a line every ~10 s otherwise); default: when stderr is a terminal. */
  readonly progress?: boolean;
  /** The progress label (default `meta-train`). */
  readonly progressLabel?: string;
  /** Called after every iteration. */
  readonly onIteration?: (metrics: IterationMetrics) => void;
}

export interface MetaTrainResult {
  /** θ after the last iteration; the caller disposes it. */
  readonly shared: LoraAdapter;
  /** Iterations run by this call (a resumed run counts only its own). */
  readonly iterationsRun: number;
  readonly nextIteration: number;
  readonly stoppedEarly: boolean;
  readonly bestDevLoss: number | null;
  readonly bestIteration: number | null;
  /** Every iteration's metrics, resumed ones included. */
  readonly metrics: readonly IterationMetrics[];
}

/** Settings that change no number a run computes: a resume may differ in these. */
const NON_SEMANTIC = ['workers', 'checkpointEvery', 'keepCheckpoints', 'baselines', 'metaGrid'] as const;

/**
 * The hash a resumed run must match: config (less the settings that do not change results), model, episodes, dev set.
 *
 * @example
 * const hash = metaRunHash(config, fingerprint, episodes, devTasks);
 */
export function metaRunHash(
  config: MetaConfig,
  fingerprint: string,
  episodes: readonly MetaEpisode[],
  devTasks: readonly TaskData[],
): string {
  const semantic: Record<string, unknown> = { ...config };
  for (const key of NON_SEMANTIC) delete semantic[key];
  return configHash({ config: semantic, fingerprint, episodes: configHash(episodes), dev: configHash(devTasks) });
}

function modeOf(config: MetaConfig): UpdateMode {
  return config.algorithm === 'reptile' ? 'adapted-weights' : 'query-gradient';
}

function checkResumable(runDir: string, runHash: string, config: MetaConfig): void {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) return;
  const saved = readJsonFile(path, { what: "the run's config.json" }) as {
    runHash?: string;
    config?: Record<string, unknown>;
  };
  if (saved.runHash === runHash) return;
  const differing = Object.keys({ ...config, ...saved.config }).filter(
    (k) => JSON.stringify((config as Record<string, unknown>)[k]) !== JSON.stringify(saved.config?.[k]),
  );
  throw new MetaLoraError(
    'CONFIG_INVALID',
    `cannot resume: ${runDir} was trained with a different config, model or data (run hash ${saved.runHash?.slice(0, 12)}… vs ${runHash.slice(0, 12)}…${differing.length ? `; config fields that differ: ${differing.join(', ')}` : ''})`,
    {
      path,
      field: differing[0] ?? 'runHash',
      fix: 'resume with the exact config, model and episodes of that run, or start a new run without --resume',
    },
  );
}

function checkEpisodes(episodes: readonly MetaEpisode[]): void {
  if (episodes.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', 'meta-training got zero episodes', {
      field: 'episodes.iterations',
      fix: 'sample at least one episode (data config `episodes.iterations` ≥ 1)',
    });
  }
  episodes.forEach((ep, t) => {
    if (ep.tasks.length === 0) {
      throw new MetaLoraError('EMPTY_TASK', `episode ${t} has zero tasks`, {
        field: 'episodes.tasksPerBatch',
        value: 0,
        fix: 'sample episodes with tasksPerBatch ≥ 1',
      });
    }
  });
}

/**
 * Meta-trains a shared LoRA adapter on `episodes`, writing checkpoints, metrics and artifacts into `runDir`.
 *
 * @example
 * const { shared } = await metaTrain({ model, modelSource: { dir }, fingerprint, config: parseMetaConfig({}), episodes, runDir: 'runs/x' });
 * shared.dispose();
 */
export async function metaTrain(options: MetaTrainOptions): Promise<MetaTrainResult> {
  const { model, config, episodes, runDir } = options;
  const devTasks = options.devTasks ?? [];
  assertSupportedAlgorithm(config);
  checkEpisodes(episodes);
  const runHash = metaRunHash(config, options.fingerprint, episodes, devTasks);
  mkdirSync(runDir, { recursive: true });
  const metricsPath = join(runDir, 'metrics.jsonl');
  const root = Rng.fromSeed(config.seed);
  const shared = createLoraAdapter(model, config.lora, root.fork('shared-init'), 'shared');
  const optimizer = new Optimizer({ type: config.metaOptimizer, lr: config.metaLr, weightDecay: 0 });
  const peftOptions = options.baseModelNameOrPath ? { baseModelNameOrPath: options.baseModelNameOrPath } : {};
  // Evaluation refuses adapters whose base-model fingerprint is missing or different.
  const fingerprintMeta = { base_model_fingerprint: options.fingerprint };

  let state: CheckpointState = {
    nextIteration: 0,
    rngState: root.state(),
    runHash,
    optimizerType: optimizer.config.type,
    optimizerStep: 0,
    bestDevLoss: null,
    bestIteration: null,
    evalsWithoutImprovement: 0,
    stoppedEarly: false,
  };
  let metrics: IterationMetrics[] = [];
  let latestDir: string | null = null;
  const latest = options.resume ? readLatestCheckpoint(runDir) : null;
  if (options.resume) checkResumable(runDir, runHash, config);
  if (latest) {
    if (latest.state.runHash !== runHash) checkResumable(runDir, latest.state.runHash, config);
    restoreCheckpoint(latest.dir, latest.state, model, shared, optimizer);
    state = latest.state;
    latestDir = latest.dir;
    metrics = truncateMetrics(metricsPath, state.nextIteration);
  } else {
    for (const old of ['checkpoints', 'adapters', 'metrics.jsonl', 'handoff.arrow', 'diagnostics.arrow']) {
      rmSync(join(runDir, old), { recursive: true, force: true });
    }
  }
  writeFileAtomic(
    join(runDir, 'config.json'),
    `${JSON.stringify({ config, runHash, fingerprint: options.fingerprint }, null, 2)}\n`,
  );
  const rng = Rng.fromState(state.rngState);
  const progress =
    (options.progress ?? process.stderr.isTTY === true)
      ? new Progress({ label: options.progressLabel ?? 'meta-train', total: episodes.length, unit: 'it' })
      : null;
  progress?.update(state.nextIteration);
  const tasksPerBatch = Math.max(...episodes.map((e) => e.tasks.length), devTasks.length);
  const runner = TaskRunner.start(
    {
      model,
      modelSource: options.modelSource,
      adaptConfig: config.adapt,
      workers: resolveWorkers(config.workers, tasksPerBatch),
    },
    shared,
  );
  const lineage = { configHash: runHash, seed: config.seed, parents: [...(options.parents ?? [])] };
  let lastRows: TaskUpdateRow[] = [];
  let iterationsRun = 0;
  // One iteration's jobs, started: the meta-update runs as soon as every task's adapted part is in (`adapted`), while
  // the workers still take the query losses of the old θ (their jobs hold its values); `rows` settles with those.
  const launch = (iteration: number): Launched => {
    const episode = episodes[iteration] as MetaEpisode;
    const jobs: TaskJob[] = episode.tasks.map((task, taskSlot) => ({
      iteration,
      taskSlot,
      task,
      mode: modeOf(config),
      rngState: rng.fork(`task:${iteration}:${taskSlot}:${task.taskId}`).state(),
      configHash: runHash,
      seed: config.seed,
    }));
    let update: MetaUpdate | undefined;
    let optimizerStep = 0;
    let markAdapted = () => {};
    const adapted = new Promise<void>((resolve) => {
      markAdapted = resolve;
    });
    const rows = runner.run(shared, jobs, {
      onAdapted: (updates) => {
        update = metaUpdate(shared, optimizer, updates, config);
        optimizerStep = optimizer.step;
        markAdapted();
      },
    });
    const adaptedOrFailed = Promise.race([adapted, rows.then(() => {})]);
    // Both are awaited below; these only keep a run abandoned on an earlier failure from being an unhandled rejection.
    rows.catch(() => {});
    adaptedOrFailed.catch(() => {});
    return {
      iteration,
      rows,
      adapted: adaptedOrFailed,
      update: () => update as MetaUpdate,
      optimizerStep: () => optimizerStep,
    };
  };
  let current = state.nextIteration < episodes.length ? launch(state.nextIteration) : null;
  try {
    while (current) {
      const iteration = current.iteration;
      const last = iteration + 1 === episodes.length;
      const evaluates = devTasks.length > 0 && ((iteration + 1) % config.evalEvery === 0 || last);
      const checkpoints = (iteration + 1) % config.checkpointEvery === 0 || last;
      let next: Launched | null = null;
      let rows: TaskUpdateRow[];
      let m: IterationMetrics;
      try {
        await current.adapted;
        // With workers, the next iteration starts now (θ is updated) and its adaptations queue behind this one's
        // query losses, so no worker waits at the iteration boundary. Not before an evaluation or a checkpoint: those
        // see θ and the optimizer exactly as this iteration left them.
        if (runner.workers > 0 && !last && !evaluates && !checkpoints) next = launch(iteration + 1);
        rows = await current.rows;
        m = iterationMetrics(rows, iteration, current.update());
      } catch (error) {
        throw notFiniteStop(error, iteration, latestDir);
      }
      lastRows = rows;
      iterationsRun++;
      let devLoss: number | undefined;
      if (evaluates) {
        devLoss = await evaluate(runner, shared, devTasks, rng, runHash, config.seed, iteration);
        if (state.bestDevLoss === null || devLoss < state.bestDevLoss) {
          state = { ...state, bestDevLoss: devLoss, bestIteration: iteration, evalsWithoutImprovement: 0 };
          await savePeftAdapter(shared, join(runDir, 'adapters', 'best'), {
            ...peftOptions,
            metadata: { ...fingerprintMeta, iteration: String(iteration), devLoss: String(devLoss), runHash },
          });
        } else {
          const stale = state.evalsWithoutImprovement + 1;
          const stop = config.earlyStoppingPatience > 0 && stale >= config.earlyStoppingPatience;
          state = { ...state, evalsWithoutImprovement: stale, stoppedEarly: stop };
        }
      }
      if (devLoss !== undefined) m = { ...m, devLoss };
      metrics.push(m);
      appendMetrics(metricsPath, m);
      options.onIteration?.(m);
      progress?.update(iteration + 1, {
        loss: m.queryLossAfter,
        ...(devLoss === undefined ? {} : { note: `dev ${devLoss.toFixed(4)}` }),
      });
      state = { ...state, nextIteration: iteration + 1, optimizerStep: current.optimizerStep() };
      if (checkpoints || state.stoppedEarly) {
        latestDir = await writeCheckpoint(runDir, shared, optimizer, state, {
          keep: config.keepCheckpoints,
          ...peftOptions,
        });
      }
      current = next ?? (last || state.stoppedEarly ? null : launch(iteration + 1));
    }
    progress?.stop();
    await savePeftAdapter(shared, join(runDir, 'adapters', 'shared'), {
      ...peftOptions,
      metadata: { ...fingerprintMeta, iterations: String(state.nextIteration), runHash },
    });
    if (lastRows.length > 0)
      writeArtifact(join(runDir, 'handoff.arrow'), TaskUpdatesArtifact, lastRows, {
        ...lineage,
        createdBy: '@meta-lora/stage2-meta metaTrain',
      });
    writeArtifact(join(runDir, 'diagnostics.arrow'), DiagnosticsArtifact, diagnosticsRows(metrics), {
      ...lineage,
      createdBy: '@meta-lora/stage2-meta metaTrain',
    });
  } catch (error) {
    shared.dispose();
    throw error;
  } finally {
    progress?.stop();
    optimizer.dispose();
    await runner.close();
  }
  return {
    shared,
    iterationsRun,
    nextIteration: state.nextIteration,
    stoppedEarly: state.stoppedEarly,
    bestDevLoss: state.bestDevLoss,
    bestIteration: state.bestIteration,
    metrics,
  };
}

/**
 * One meta-update of `shared` from the iteration's task rows; returns the iteration's metrics.
 *
 * @example
 * const metrics = metaStep(shared, optimizer, rows, config, 0);
 */
export function metaStep(
  shared: LoraAdapter,
  optimizer: Optimizer,
  rows: readonly TaskUpdateRow[],
  config: MetaConfig,
  iteration: number,
): IterationMetrics {
  return iterationMetrics(rows, iteration, metaUpdate(shared, optimizer, rows, config));
}

/** An iteration whose jobs are out (metaTrain's pipeline). */
interface Launched {
  readonly iteration: number;
  /** The task rows, `queryLossBefore` included. */
  readonly rows: Promise<TaskUpdateRow[]>;
  /** Settles once the meta-update has run (θ holds the next iteration's values), or with the run's failure. */
  readonly adapted: Promise<void>;
  readonly update: () => MetaUpdate;
  /** The optimizer's step count right after this iteration's update. */
  readonly optimizerStep: () => number;
}

/** What the meta-update measured besides the losses. */
export interface MetaUpdate {
  /** Global norm of the aggregated meta-gradient, before clipping. */
  readonly metaGradNorm: number;
  /** Mean pairwise cosine of the task vectors (null with one task). */
  readonly taskCosine: number | null;
}

/**
 * The meta-update of `shared` from the adapted parts of the iteration's rows (it needs no `queryLossBefore`, so it can
 * run while those are still being computed): aggregate, clip, one optimizer step.
 *
 * @example
 * const { metaGradNorm } = metaUpdate(shared, optimizer, updates, config);
 */
export function metaUpdate(
  shared: LoraAdapter,
  optimizer: Optimizer,
  updates: readonly AdaptedUpdate[],
  config: MetaConfig,
): MetaUpdate {
  const theta = flattenAdapter(shared);
  const vectors = taskVectors(updates, theta, config.algorithm);
  const g = combineTaskVectors(vectors, aggregationWeights(updates, config.aggregation), config.algorithm);
  let sq = 0;
  for (let j = 0; j < g.length; j++) sq += (g[j] as number) * (g[j] as number);
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm)) {
    throw new MetaLoraError('NOT_FINITE', `the meta-gradient norm is ${norm}`, {
      value: norm,
      fix: 'lower metaLr or innerLr, or set metaClipGradNorm',
    });
  }
  const clip = config.metaClipGradNorm;
  if (clip !== null && norm > clip) {
    const scale = clip / (norm + 1e-6);
    for (let j = 0; j < g.length; j++) g[j] = (g[j] as number) * scale;
  }
  const grads = unflattenAdapter(g, shared);
  optimizer.apply(shared.variables(), grads);
  for (const t of grads) t.dispose();
  return { metaGradNorm: norm, taskCosine: meanPairwiseCosine(vectors) };
}

function iterationMetrics(rows: readonly TaskUpdateRow[], iteration: number, update: MetaUpdate): IterationMetrics {
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const before = mean(rows.map((r) => r.queryLossBefore));
  const after = mean(rows.map((r) => r.queryLossAfter));
  return {
    iteration,
    queryLossBefore: before,
    queryLossAfter: after,
    adaptationGain: before - after,
    taskCosine: update.taskCosine,
    metaGradNorm: update.metaGradNorm,
    tasks: rows.map((r) => ({
      taskSlot: r.taskSlot,
      taskId: r.taskId,
      queryLossBefore: r.queryLossBefore,
      queryLossAfter: r.queryLossAfter,
      supportLosses: r.supportLosses,
      queryTargetTokens: r.queryTargetTokens,
    })),
  };
}

async function evaluate(
  runner: TaskRunner,
  shared: LoraAdapter,
  devTasks: readonly TaskData[],
  rng: Rng,
  runHash: string,
  seed: number,
  iteration: number,
): Promise<number> {
  const jobs: TaskJob[] = devTasks.map((task, taskSlot) => ({
    iteration,
    taskSlot,
    task,
    mode: 'eval',
    // the same draws at every evaluation, so dev losses are comparable across iterations
    rngState: rng.fork(`dev:${taskSlot}:${task.taskId}`).state(),
    configHash: runHash,
    seed,
  }));
  const updates = await runner.runAdapted(shared, jobs);
  return updates.reduce((s, u) => s + u.queryLossAfter, 0) / updates.length;
}

function notFiniteStop(error: unknown, iteration: number, latestDir: string | null): unknown {
  if (!isMetaLoraError(error) || error.code !== 'NOT_FINITE') return error;
  const where = latestDir ? `the last good checkpoint is ${latestDir}` : 'no checkpoint was written yet';
  return new MetaLoraError(
    'NOT_FINITE',
    `meta-training stopped at iteration ${iteration}: ${error.message.split('\n')[0]}; ${where}`,
    {
      ...error.details,
      fix: 'lower metaLr or adapt.innerLr (or set metaClipGradNorm / adapt.clipGradNorm), then rerun; --resume continues from the last good checkpoint only with the same config',
    },
    { cause: error },
  );
}
