/** `meta-lora eval`: scores the conditions of an evaluation plan on the test splits and writes eval-results.arrow. */
import { join } from 'node:path';
import { EVAL_PLAN_FILE, EVAL_RESULTS_FILE, evaluate, readEvalPlan, writeReport } from '@meta-lora/eval';
import { initBackend } from '@meta-lora/lora-core';
import { type Command, intOption, requireString } from '../command.ts';
import { requireModelDir } from '../default-model.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'score MeTA-LoRA and the baselines on the test splits (eval-results.arrow)',
  usage:
    'meta-lora eval --run RUN_DIR [--model DIR] [--plan FILE] [--tasks FILE] [--out FILE] [--max-test-examples N] ' +
    '[--workers N] [--report]',
  options: {
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
