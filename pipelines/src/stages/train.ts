/** Stage `train`: meta-train the shared adapter (stage 1 + stage 2 alternating) and train the baselines. */
import { join } from 'node:path';
import { runTraining } from '@meta-lora/stage2-meta';
import type { LoadedExperiment } from '../experiment.ts';
import { modelDir, stageDir, writeResolvedConfig } from '../run-dir.ts';

export async function runTrainStage(exp: LoadedExperiment, log: (line: string) => void): Promise<void> {
  const data = stageDir(exp, 'data');
  const out = stageDir(exp, 'train');
  writeResolvedConfig(exp, 'train');
  const { baselineMethods, ...config } = exp.config.train;
  const { result, baselines } = await runTraining({
    modelDir: modelDir(exp),
    data: { tasks: join(data, 'tasks.arrow'), pool: join(data, 'pool.arrow'), episodes: join(data, 'episodes.arrow') },
    config,
    runDir: out,
    baselines: baselineMethods,
    progress: process.stderr.isTTY,
  });
  log(`meta-training: ${result.nextIteration} iterations; shared adapter in ${join(out, 'adapters', 'shared')}`);
  log(`baselines: ${baselines.length} adapters (${[...new Set(baselines.map((b) => b.method))].join(', ')})`);
}
