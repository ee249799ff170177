/**
 * `meta-lora eval`: scores the conditions of an evaluation plan on the test splits and writes eval-results.arrow — or,
 * with `--data FILE --task T`, one adapter (or the base model, without `--adapter`) on that task's test split, printing
 * its metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifact } from '@meta-lora/artifacts';
import { TasksArtifact } from '@meta-lora/data-sampling';
import {
  EVAL_PLAN_FILE,
  EVAL_RESULTS_FILE,
  type EvalConditionInput,
  type EvalResultRow,
  evaluate,
  readEvalPlan,
  writeReport,
} from '@meta-lora/eval';
import { initBackend, loadTokenizer, readPeftMetadata } from '@meta-lora/lora-core';
import { type Command, intOption, requireString } from '../command.ts';
import { requireModelDir } from '../default-model.ts';
import { taskExamples } from '../task-examples.ts';

/** The metrics of one row, as `meta-lora eval --data` prints them. */
export function formatTaskMetrics(row: EvalResultRow): string {
  const pct = (x: number | undefined) => (x === undefined ? undefined : `${x.toFixed(1)} %`);
  const parts = [
    ['accuracy', pct(row.accuracy)],
    ['macro-F1', pct(row.macroF1)],
    ['exact match', pct(row.exactMatch)],
    ['chrF', row.chrF?.toFixed(1)],
    ['target loss', `${row.targetLoss.toFixed(4)} nats/token`],
  ].filter(([, v]) => v !== undefined);
  return `${row.taskId} (${row.taskType}, ${row.numTestExamples} test examples): ${parts.map(([k, v]) => `${k} ${v}`).join(', ')}`;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'score MeTA-LoRA and the baselines on the test splits (eval-results.arrow)',
  usage:
    'meta-lora eval --run RUN_DIR [--model DIR] [--plan FILE] [--tasks FILE] [--out FILE] [--max-test-examples N] ' +
    '[--workers N] [--report]\n       meta-lora eval --data FILE --task NAME [--adapter DIR] [--model DIR] [--out FILE]',
  options: {
    data: {
      type: 'string',
      placeholder: 'FILE',
      description: 'score one task of this dataset (JSONL, CSV, Arrow, Parquet or tasks.arrow) instead of a run',
    },
    task: { type: 'string', placeholder: 'NAME', description: 'with --data: the task to score on its test split' },
    adapter: {
      type: 'string',
      placeholder: 'DIR',
      description: 'with --data: the PEFT adapter to score (e.g. from meta-lora adapt); without it, the base model',
    },
    run: { type: 'string', placeholder: 'RUN_DIR', description: 'run directory (defaults for every path below)' },
    model: {
      type: 'string',
      placeholder: 'DIR',
      description: 'base model directory the adapters were trained on (default: the embedded model)',
    },
    plan: {
      type: 'string',
      placeholder: 'FILE',
      description: `evaluation plan: the conditions to score (default RUN_DIR/${EVAL_PLAN_FILE})`,
    },
    tasks: { type: 'string', placeholder: 'FILE', description: 'tasks artifact (default RUN_DIR/tasks.arrow)' },
    out: {
      type: 'string',
      placeholder: 'FILE',
      description: `results artifact (default RUN_DIR/${EVAL_RESULTS_FILE})`,
    },
    'max-test-examples': {
      type: 'string',
      placeholder: 'N',
      description: 'score only the first N test examples per task (overrides the plan)',
    },
    'batch-size': { type: 'string', placeholder: 'N', description: 'sequences per forward pass (default 8)' },
    'allow-unfingerprinted': {
      type: 'boolean',
      description: 'accept adapters without a base-model fingerprint (e.g. trained in Python PEFT)',
    },
    workers: {
      type: 'string',
      placeholder: 'N',
      description: 'worker threads scoring the cells (default: one per core, none on one core; 0: in-thread)',
    },
    report: { type: 'boolean', description: 'also write RUN_DIR/report.md and report.html' },
    backend: { type: 'string', placeholder: 'NAME', description: 'force a TF.js backend: tensorflow, wasm or cpu' },
  },
  async run(args) {
    if (args.values.data !== undefined) return scoreOneTask(args);
    const runDir = requireString(args, 'run', 'eval');
    const modelDir = requireModelDir(args.values.model as string | undefined);
    const plan = readEvalPlan((args.values.plan as string | undefined) ?? join(runDir, EVAL_PLAN_FILE));
    const maxTest =
      args.values['max-test-examples'] === undefined ? undefined : intOption(args, 'max-test-examples', 0, 1);
    const backend = args.values.backend as string | undefined;
    await initBackend(backend ? { backend: backend as 'wasm' } : {});
    const outPath = (args.values.out as string | undefined) ?? join(runDir, EVAL_RESULTS_FILE);
    const tty = process.stderr.isTTY === true;
    const { rows } = await evaluate({
      modelDir,
      tasksPath: (args.values.tasks as string | undefined) ?? join(runDir, 'tasks.arrow'),
      conditions: plan.conditions,
      ...(plan.taskIds === undefined ? {} : { taskIds: plan.taskIds }),
      ...(plan.taskTypes === undefined ? {} : { taskTypes: plan.taskTypes }),
      ...((maxTest ?? plan.maxTestExamplesPerTask) === undefined
        ? {}
        : { maxTestExamplesPerTask: (maxTest ?? plan.maxTestExamplesPerTask) as number }),
      ...(plan.maxNewTokens === undefined ? {} : { maxNewTokens: plan.maxNewTokens }),
      batchSize: intOption(args, 'batch-size', 8, 1),
      allowAdaptersWithoutFingerprint: args.values['allow-unfingerprinted'] === true,
      workers: args.values.workers === undefined ? 'auto' : intOption(args, 'workers', 0),
      outPath,
      onProgress(done, total, row) {
        const k = row.k === undefined ? '' : ` k=${row.k}`;
        const line = `eval ${done}/${total} ${row.method}${k} seed=${row.seed} ${row.taskId}: ${row.primaryMetric} ${row.score.toFixed(1)}`;
        process.stderr.write(tty ? `\r\x1b[2K${line}${done === total ? '\n' : ''}` : `${line}\n`);
      },
    });
    process.stdout.write(`wrote ${outPath} (${rows.length} rows)\n`);
    if (args.values.report === true) {
      const { markdownPath, htmlPath } = writeReport(runDir, { resultsPath: outPath });
      process.stdout.write(`wrote ${markdownPath}\nwrote ${htmlPath}\n`);
    }
    return 0;
  },
};

/** `meta-lora eval --data FILE --task T [--adapter DIR]`: one task's test split, one adapter (or none). */
async function scoreOneTask(args: Parameters<Command['run']>[0]): Promise<number> {
  const dataPath = requireString(args, 'data', 'eval');
  const task = requireString(args, 'task', 'eval');
  const adapterDir = args.values.adapter as string | undefined;
  const modelDir = requireModelDir(args.values.model as string | undefined);
  const outPath = (args.values.out as string | undefined) ?? EVAL_RESULTS_FILE;
  const examples = await taskExamples(dataPath, task);
  const backend = args.values.backend as string | undefined;
  await initBackend(backend ? { backend: backend as 'wasm' } : {});
  const scratch = mkdtempSync(join(tmpdir(), 'meta-lora-eval-'));
  try {
    const tasksPath = join(scratch, 'tasks.arrow');
    writeArtifact(tasksPath, TasksArtifact, examples, {
      configHash: 'meta-lora eval --data',
      seed: null,
      parents: [],
      createdBy: '@meta-lora/cli eval --data',
    });
    let condition: EvalConditionInput = { method: 'base-zero-shot', seed: 0, k: null };
    if (adapterDir !== undefined) {
      // `meta-lora adapt` records the examples it adapted on; the report's data table counts them and their tokens.
      const meta = readPeftMetadata(adapterDir);
      const ids = new Set((meta.exampleIds ?? '').split(',').filter((id) => id !== ''));
      const used = examples.filter((e) => ids.has(e.exampleId));
      const tokenizer = await loadTokenizer(modelDir);
      const tokens = used.reduce(
        (n, e) => n + (tokenizer?.encode(e.input + e.target, { addSpecialTokens: false }).length ?? 0),
        0,
      );
      condition = {
        method: 'meta-lora-adapted',
        seed: Number(meta.seed ?? 0),
        k: used.length > 0 ? used.length : null,
        adapterDirByTask: { [task]: adapterDir },
        examplesUsed: { [task]: used.length },
        tokensUsed: { [task]: tokens },
      };
    }
    const { rows } = await evaluate({
      modelDir,
      tasksPath,
      conditions: [condition],
      taskIds: [task],
      ...(args.values['max-test-examples'] === undefined
        ? {}
        : { maxTestExamplesPerTask: intOption(args, 'max-test-examples', 0, 1) }),
      batchSize: intOption(args, 'batch-size', 8, 1),
      allowAdaptersWithoutFingerprint: args.values['allow-unfingerprinted'] === true,
      workers: 0,
      outPath,
    });
    for (const row of rows) process.stdout.write(`${formatTaskMetrics(row)}\n`);
    process.stdout.write(`wrote ${outPath}\n`);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
