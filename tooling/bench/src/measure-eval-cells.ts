/**
 * CPU time of evaluation cells, one at a time in this thread, from a finished pipeline run directory: its
 * `eval/eval-plan.json` (the conditions, with their adapter directories) and `data/tasks.arrow`, scored as the eval
 * stage scores them (batch 8, prompts cut at the trainers' 160 tokens, 200 test examples). Each line gives the cell's
 * CPU and wall seconds and a hash of its result row and per-example rows, so two versions of the code can be compared
 * for speed and for bytes.
 *
 *   pnpm --filter @meta-lora/bench run eval-cells -- --run-dir ../../pipelines/runs/multitask \
 *     --cells base-in-context:pos-tag,base-zero-shot:antonym [--model DIR] [--examples N]
 *
 * The first cell of each method also pays for loading the model and the method's shared adapter (~0.2 s).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type EvalConditionInput, evaluate } from '@meta-lora/eval';
import { initBackend } from '@meta-lora/lora-core';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    'run-dir': { type: 'string' },
    cells: { type: 'string' },
    model: { type: 'string', default: join(import.meta.dirname, '..', '..', '..', 'models', 'meta-lora-base') },
    examples: { type: 'string', default: '200' },
  },
});
if (!values['run-dir'] || !values.cells) {
  console.error('usage: eval-cells --run-dir DIR --cells method:task[,method:task…] [--model DIR] [--examples N]');
  process.exit(2);
}
const runDir = resolve(values['run-dir']);
const plan = JSON.parse(readFileSync(join(runDir, 'eval', 'eval-plan.json'), 'utf8')) as {
  conditions: (EvalConditionInput & { method: string })[];
};
const info = await initBackend({ quiet: true });
console.log(`eval cells of ${runDir}; matmul: ${info.matmul}`);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const byMethod = new Map<string, string[]>();
for (const cell of values.cells.split(',')) {
  const [method, taskId] = cell.split(':') as [string, string];
  byMethod.set(method, [...(byMethod.get(method) ?? []), taskId]);
}
let total = 0;
for (const [method, taskIds] of byMethod) {
  const condition = plan.conditions.find((c) => c.method === method);
  if (!condition) throw new Error(`no condition ${method} in the eval plan`);
  let t = cpu();
  let w = performance.now();
  const times = new Map<string, { cpu: number; wall: number }>();
  const { rows, examples } = await evaluate({
    modelDir: values.model,
    tasksPath: join(runDir, 'data', 'tasks.arrow'),
    conditions: [condition],
    taskIds,
    maxTestExamplesPerTask: Number(values.examples),
    batchSize: 8,
    maxSeqLen: 160,
    workers: 0,
    onProgress: (_done, _total, row) => {
      times.set(row.taskId, { cpu: cpu() - t, wall: (performance.now() - w) / 1000 });
      t = cpu();
      w = performance.now();
    },
  });
  for (const row of rows) {
    const own = examples.filter((e) => e.taskId === row.taskId);
    const hash = createHash('sha256').update(JSON.stringify({ row, own })).digest('hex').slice(0, 16);
    const { cpu: c, wall } = times.get(row.taskId)!;
    total += c;
    console.log(
      `${method.padEnd(24)} ${row.taskId.padEnd(16)} ${row.taskType.padEnd(14)} n=${String(row.numTestExamples).padStart(3)}` +
        `  cpu ${c.toFixed(2).padStart(7)} s  wall ${wall.toFixed(1).padStart(6)} s  score ${row.score.toFixed(1)}  rows ${hash}`,
    );
  }
}
console.log(`total cpu ${total.toFixed(2)} s`);
