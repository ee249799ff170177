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
  const { result, tuning, baselines } = await runTraining({
    modelDir: modelDir(exp),
    data: { tasks: join(data, 'tasks.arrow'), pool: join(data, 'pool.arrow'), episodes: join(data, 'episodes.arrow') },
    config,
    runDir: out,
    baselines: baselineMethods,
    progress: true,
  });
  for (const t of tuning) {
    log(
      `meta candidate ${t.candidate} (innerLr ${t.innerLr}, innerSteps ${t.innerSteps}, metaLr ${t.metaLr}): ${t.iterations} iterations, best dev loss ${t.bestDevLoss?.toFixed(4) ?? '-'} at iteration ${t.bestIteration ?? '-'}${t.selected ? ' (selected)' : ''}`,
    );
  }
  log(`meta-training: ${result.nextIteration} iterations; selected adapter in ${join(out, 'adapters', 'selected')}`);
  for (const b of baselines) {
    log(
      `baseline ${b.method}${b.taskId === '*' ? '' : ` ${b.taskId}`}: lr ${b.lr}, best dev step ${b.bestStep} of ${b.steps}, dev loss ${b.devLossInitial?.toFixed(3) ?? '-'} → ${b.devLossBest?.toFixed(3) ?? '-'}`,
    );
  }
}
