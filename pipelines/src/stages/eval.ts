/**
 * Stage `eval`: writes the evaluation plan (every method's adapters, the data each had access to and the data it
 * actually trained on, from the data and train stages' artifacts) and scores it on the test split into
 * `eval-results.arrow`, with `eval-cells.arrow` and `eval-examples.arrow` beside it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Progress, readArtifact, writeFileAtomic } from '@meta-lora/artifacts';
import { PoolArtifact, UsageArtifact } from '@meta-lora/data-sampling';
import { ALL_TASKS, type EvalConditionInput, evaluate, type Method } from '@meta-lora/eval';
import { type BaselineRow, BaselinesArtifact } from '@meta-lora/stage2-meta';
import type { LoadedExperiment } from '../experiment.ts';
import { modelDir, stageDir, writeResolvedConfig } from '../run-dir.ts';

/** Which usage row of the data stage accounts for each method's data. */
const USAGE_OF: Record<Method, 'meta-lora' | 'few-shot' | 'full-data' | null> = {
  'base-zero-shot': null,
  'base-in-context': null,
  'single-task-lora': 'full-data',
  'multi-task-lora-full': 'full-data',
  'multi-task-lora-k-shot': 'few-shot',
  'meta-lora-shared': 'meta-lora',
  'meta-lora-adapted': 'few-shot',
};

export async function runEvalStage(exp: LoadedExperiment, log: (line: string) => void): Promise<void> {
  const data = stageDir(exp, 'data');
  const train = stageDir(exp, 'train');
  const out = stageDir(exp, 'eval');
  writeResolvedConfig(exp, 'eval');
  const usage = readArtifact(join(data, 'usage.arrow'), UsageArtifact).rows;
  const pool = readArtifact(join(data, 'pool.arrow'), PoolArtifact).rows;
  // Absent when the experiment trains no baseline (its eval methods then name none: `loadExperiment`).
  const baselinesPath = join(train, 'baselines.arrow');
  const baselines = existsSync(baselinesPath) ? readArtifact(baselinesPath, BaselinesArtifact).rows : [];
  const taskIds = [...new Set(pool.map((r) => r.taskId))].sort();
  const { k, seed } = exp.config.data;
  const used = (method: Method, field: 'examples' | 'tokens') => {
    const kind = USAGE_OF[method];
    return Object.fromEntries(
      taskIds.map((t) => [t, usage.find((u) => u.method === kind && u.taskId === t)?.[field] ?? 0]),
    );
  };
  const trained = (method: Method) => {
    const access = { examplesUsed: used(method, 'examples'), tokensUsed: used(method, 'tokens') };
    return { ...access, ...trainedCounts(method, baselines, access) };
  };
  const baselineDir = (method: string, taskId = '*') => {
    const row = baselines.find((b) => b.method === method && b.taskId === taskId);
    return row ? join(train, row.adapterDir) : undefined;
  };
  const all: EvalConditionInput[] = [
    { method: 'base-zero-shot', seed, k: null },
    {
      method: 'base-in-context',
      seed,
      k,
      supportByTask: Object.fromEntries(
        taskIds.map((t) => [t, pool.filter((r) => r.taskId === t).map((r) => ({ input: r.input, target: r.target }))]),
      ),
    },
    {
      method: 'single-task-lora',
      seed,
      k: null,
      adapterDirByTask: Object.fromEntries(taskIds.map((t) => [t, baselineDir('single-task', t)])),
      ...trained('single-task-lora'),
    },
    {
      method: 'multi-task-lora-full',
      seed,
      k: null,
      adapterDir: baselineDir('multi-task-full'),
      ...trained('multi-task-lora-full'),
    },
    {
      method: 'multi-task-lora-k-shot',
      seed,
      k,
      adapterDir: baselineDir('multi-task-pool'),
      ...trained('multi-task-lora-k-shot'),
    },
    {
      method: 'meta-lora-shared',
      seed,
      k,
      adapterDir: join(train, 'adapters', 'selected'),
      ...trained('meta-lora-shared'),
    },
    {
      method: 'meta-lora-adapted',
      seed,
      k,
      adapterDirByTask: Object.fromEntries(taskIds.map((t) => [t, join(stageDir(exp, 'adapt'), t)])),
      ...trained('meta-lora-adapted'),
    },
  ] as EvalConditionInput[];
  const wanted = new Set(exp.config.eval.methods);
  const conditions = all.filter((c) => wanted.has(c.method as Method));
  const plan = { conditions, taskIds, maxTestExamplesPerTask: exp.config.eval.maxTestExamplesPerTask };
  writeFileAtomic(join(out, 'eval-plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  const started = Date.now();
  const progress = new Progress({ label: 'eval', total: conditions.length * taskIds.length, unit: 'cell' });
  const { rows } = await evaluate({
    modelDir: modelDir(exp),
    tasksPath: join(data, 'tasks.arrow'),
    conditions,
    taskIds,
    maxTestExamplesPerTask: exp.config.eval.maxTestExamplesPerTask,
    batchSize: exp.config.eval.batchSize,
    // prompts cut as the trainers cut them, so the target loss is the training loss on test data
    maxSeqLen: exp.config.train.baselines.maxSeqLen,
    workers: exp.config.eval.workers,
    outPath: join(out, 'eval-results.arrow'),
    onProgress: (done, _total, row) => progress.update(done, { note: `${row.method} ${row.taskId}` }),
  });
  progress.stop();
  log(`scored ${rows.length} method × task cells in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The baseline run behind each LoRA baseline method. */
const BASELINE_OF: Partial<Record<Method, BaselineRow['method']>> = {
  'single-task-lora': 'single-task',
  'multi-task-lora-full': 'multi-task-full',
  'multi-task-lora-k-shot': 'multi-task-pool',
};

type Counts = Record<string, number>;

/**
 * What a method actually trained on, as the condition's `examplesTrained` / `tokensTrained`: a LoRA baseline's
 * distinct examples and tokens in its minibatches up to the dev-selected step (`baselines.arrow`), per task for
 * single-task LoRA and one total (`*`) for the multi-task ones — spread over the tasks as their access when the run
 * trained on every example it had; MeTA-LoRA (shared and adapted) trains on its whole pool, so on what it had access to.
 * Nothing for the base model (evaluate records 0) or a baseline without its run.
 *
 * @example
 * trainedCounts('multi-task-lora-full', baselines, { examplesUsed, tokensUsed }); // { examplesTrained: { '*': 640 }, … }
 */
export function trainedCounts(
  method: Method,
  baselines: readonly Pick<BaselineRow, 'method' | 'taskId' | 'examplesTrained' | 'tokensTrained'>[],
  access: { readonly examplesUsed: Counts; readonly tokensUsed: Counts },
): { examplesTrained?: Counts; tokensTrained?: Counts } {
  const asAccess = { examplesTrained: access.examplesUsed, tokensTrained: access.tokensUsed };
  if (method === 'meta-lora-shared' || method === 'meta-lora-adapted') return asAccess;
  const run = BASELINE_OF[method];
  if (run === undefined) return {};
  const taskIds = Object.keys(access.examplesUsed);
  if (run === 'single-task') {
    const rows = taskIds.map((t) => baselines.find((b) => b.method === run && b.taskId === t));
    if (rows.some((r) => r === undefined)) return {};
    return {
      examplesTrained: Object.fromEntries(rows.map((r) => [r!.taskId, r!.examplesTrained])),
      tokensTrained: Object.fromEntries(rows.map((r) => [r!.taskId, r!.tokensTrained])),
    };
  }
  const row = baselines.find((b) => b.method === run && b.taskId === ALL_TASKS);
  if (row === undefined) return {};
  // Every example it had: its access, counted as the data stage counts tokens (training counts them after truncation).
  const all = Object.values(access.examplesUsed).reduce((a, v) => a + v, 0);
  if (row.examplesTrained === all) return asAccess;
  return { examplesTrained: { [ALL_TASKS]: row.examplesTrained }, tokensTrained: { [ALL_TASKS]: row.tokensTrained } };
}
