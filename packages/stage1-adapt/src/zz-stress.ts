import { Rng } from '@meta-lora/artifacts';
import { createLoraAdapter, createTinyModel, initBackend } from '@meta-lora/lora-core';
import { parseAdaptConfig } from './config.ts';
import { TaskRunner } from './task-runner.ts';
import { syntheticTask } from './test-tasks.ts';

await initBackend({ quiet: true });
const model = createTinyModel(5);
const shared = createLoraAdapter(
  model,
  { r: 4, loraAlpha: 8, targetModules: 'all-linear', initLoraWeights: false },
  Rng.fromSeed(2),
  'shared',
);
const jobs = [0, 1, 2].map((t) => {
  const task = syntheticTask(t, 3, 3, 1);
  return {
    iteration: 7,
    taskSlot: t,
    task,
    mode: 'query-gradient' as const,
    rngState: Rng.fromSeed(`${task.taskId}:7`).state(),
    configHash: 'x',
    seed: 1,
  };
});
const adaptConfig = parseAdaptConfig({ innerSteps: 2, innerBatchSize: 2 });
const seq = await TaskRunner.start({ model, modelSource: { tiny: { seed: 5 } }, adaptConfig, workers: 0 }, shared).run(
  shared,
  jobs,
);
let bad = 0;
for (let i = 0; i < 4; i++) {
  const par = TaskRunner.start({ model, modelSource: { tiny: { seed: 5 } }, adaptConfig, workers: 2 }, shared);
  const rows = await par.run(shared, jobs);
  await par.close();
  rows.forEach((r, j) => {
    const s = seq[j]!;
    for (const k of Object.keys(r) as (keyof typeof r)[])
      if (JSON.stringify(r[k]) !== JSON.stringify(s[k])) {
        bad++;
        console.log('diff', j, k, JSON.stringify(r[k]).slice(0, 100), JSON.stringify(s[k]).slice(0, 100));
      }
  });
}
console.log('bad', bad);
