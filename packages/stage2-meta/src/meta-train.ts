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
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  isMetaLoraError,
  type LineageInput,
  MetaLoraError,
  Progress,
  Rng,
  writeArtifact,
  writeFileAtomic,
} from '@meta-lora/artifacts';
import { createLoraAdapter, type LlamaModel, type LoraAdapter, Optimizer, savePeftAdapter } from '@meta-lora/lora-core';
import {
  type ModelSource,
  resolveWorkers,
  type TaskData,
  TaskRunner,
  type TaskUpdateRow,
  TaskUpdatesArtifact,
} from '@meta-lora/stage1-adapt';
import { assertSupportedAlgorithm, type MetaConfig } from './config.ts';
import { meanDevLoss, trackDev } from './dev-tracker.ts';
import {
  appendMetrics,
  DiagnosticsArtifact,
  diagnosticsRows,
  type IterationMetrics,
  truncateMetrics,
} from './diagnostics.ts';
import { type IterationContext, type Launched, launchIteration } from './iteration-pipeline.ts';
import {
  type MetaTrainState,
  readLatestMetaCheckpoint,
  restoreMetaCheckpoint,
  writeMetaCheckpoint,
} from './meta-checkpoint.ts';
import { checkEpisodes, type MetaEpisode } from './meta-episode.ts';
import { iterationMetrics } from './meta-update.ts';
import { checkResumable, metaRunHash } from './run-identity.ts';

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
  /** Progress as lines even in a terminal (another progress display runs at the same time). */
  readonly progressLines?: boolean;
  /**
   * Worker threads for the stage-1 tasks, in place of what `config.workers` resolves to (when other work has cores).
   * Results do not depend on it.
   */
  readonly workers?: number;
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

  let { state, metrics, latestDir } = openRun(options, runHash, root, shared, optimizer);
  const rng = Rng.fromState(state.rngState);
  const progress =
    (options.progress ?? process.stderr.isTTY === true)
      ? new Progress({
          label: options.progressLabel ?? 'meta-train',
          total: episodes.length,
          unit: 'it',
          ...(options.progressLines ? { lines: true } : {}),
        })
      : null;
  progress?.skip(state.nextIteration); // a resumed run's iterations: counted, not in the rate
  const tasksPerBatch = Math.max(...episodes.map((e) => e.tasks.length), devTasks.length);
  const runner = TaskRunner.start(
    {
      model,
      modelSource: options.modelSource,
      adaptConfig: config.adapt,
      workers: options.workers ?? resolveWorkers(config.workers, tasksPerBatch),
    },
    shared,
  );
  const lineage = { configHash: runHash, seed: config.seed, parents: [...(options.parents ?? [])] };
  let iterationsRun = 0;
  const ctx: IterationContext = { runner, shared, optimizer, episodes, config, rng, runHash };
  const launch = (iteration: number) => launchIteration(ctx, iteration);
  // A run resumed after it ended (its budget spent, or stopped early) only rewrites its outputs.
  const done = state.nextIteration >= episodes.length || state.stoppedEarly;
  let current: Launched | null = done ? null : launch(state.nextIteration);
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
      iterationsRun++;
      let devLoss: number | undefined;
      if (evaluates) {
        devLoss = await meanDevLoss(runner, shared, devTasks, rng, runHash, config.seed, iteration);
        const tracked = trackDev(state, devLoss, iteration, config.earlyStoppingPatience);
        state = tracked.state;
        if (tracked.improved) {
          await savePeftAdapter(shared, join(runDir, 'adapters', 'best'), {
            ...peftOptions,
            metadata: { ...fingerprintMeta, iteration: String(iteration), devLoss: String(devLoss), runHash },
          });
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
      // The final iteration's rows are written before its checkpoint: a run killed after that checkpoint resumes with
      // nothing left to train and no rows in hand, and finds its handoff.arrow already there.
      if ((last || state.stoppedEarly) && rows.length > 0) {
        writeArtifact(join(runDir, 'handoff.arrow'), TaskUpdatesArtifact, rows, {
          ...lineage,
          createdBy: '@meta-lora/stage2-meta metaTrain',
        });
      }
      if (checkpoints || state.stoppedEarly) {
        latestDir = await writeMetaCheckpoint(runDir, shared, optimizer, state, {
          keep: config.keepCheckpoints,
          ...peftOptions,
        });
      }
      current = next ?? (last || state.stoppedEarly ? null : launch(iteration + 1));
    }
    progress?.stop();
    await writeOutputs(runDir, shared, metrics, {
      lineage,
      peftOptions,
      metadata: { ...fingerprintMeta, iterations: String(state.nextIteration), runHash },
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
 * Where a run starts: the latest checkpoint of `runDir` when resuming (θ, the optimizer and the metrics restored;
 * the directory must hold the same run), else iteration 0 in a directory cleared of a previous run's outputs.
 */
function openRun(
  options: MetaTrainOptions,
  runHash: string,
  root: Rng,
  shared: LoraAdapter,
  optimizer: Optimizer,
): { state: MetaTrainState; metrics: IterationMetrics[]; latestDir: string | null } {
  const { runDir, config } = options;
  const metricsPath = join(runDir, 'metrics.jsonl');
  const latest = options.resume ? readLatestMetaCheckpoint(runDir) : null;
  if (options.resume) checkResumable(runDir, runHash, config);
  let opened: ReturnType<typeof openRun>;
  if (latest) {
    if (latest.state.runHash !== runHash) checkResumable(runDir, latest.state.runHash, config);
    restoreMetaCheckpoint(latest.dir, latest.state, options.model, shared, optimizer);
    opened = {
      state: latest.state,
      metrics: truncateMetrics(metricsPath, latest.state.nextIteration),
      latestDir: latest.dir,
    };
  } else {
    for (const old of ['checkpoints', 'adapters', 'metrics.jsonl', 'handoff.arrow', 'diagnostics.arrow']) {
      rmSync(join(runDir, old), { recursive: true, force: true });
    }
    const state: MetaTrainState = {
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
    opened = { state, metrics: [], latestDir: null };
  }
  writeFileAtomic(
    join(runDir, 'config.json'),
    `${JSON.stringify({ config, runHash, fingerprint: options.fingerprint }, null, 2)}\n`,
  );
  return opened;
}

/** A finished run's outputs: the final θ (`adapters/shared`) and the diagnostics (the hand-off rows came earlier). */
async function writeOutputs(
  runDir: string,
  shared: LoraAdapter,
  metrics: readonly IterationMetrics[],
  out: {
    lineage: Omit<LineageInput, 'createdBy'>;
    peftOptions: { baseModelNameOrPath?: string };
    metadata: Record<string, string>;
  },
): Promise<void> {
  await savePeftAdapter(shared, join(runDir, 'adapters', 'shared'), { ...out.peftOptions, metadata: out.metadata });
  const lineage = { ...out.lineage, createdBy: '@meta-lora/stage2-meta metaTrain' };
  writeArtifact(join(runDir, 'diagnostics.arrow'), DiagnosticsArtifact, diagnosticsRows([...metrics]), lineage);
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
