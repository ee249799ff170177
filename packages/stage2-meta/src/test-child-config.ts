/** The run the kill-and-resume test repeats: shared by the child process and the in-process reference run. */
import { loadModelSource } from '@meta-lora/stage1-adapt';
import { parseMetaConfig } from './config.ts';
import { metaTrain } from './meta-train.ts';
import { syntheticEpisodes } from './test-tasks.ts';

export const CHILD_SOURCE = { tiny: { seed: 21 } } as const;

export const CHILD_CONFIG = parseMetaConfig({
  seed: 3,
  lora: { r: 2, loraAlpha: 4, targetModules: 'all-linear' },
  adapt: { innerSteps: 2, innerOptimizer: 'adam', innerLr: 0.01 },
  metaLr: 0.01,
  workers: 0,
  checkpointEvery: 2,
  keepCheckpoints: 2,
});

export const CHILD_EPISODES = syntheticEpisodes(16, { numTasks: 4, tasksPerBatch: 2, support: 3, query: 3, seed: 5 });

/**
 * Meta-trains the child run into `runDir` in this process (from its latest checkpoint with `resume`), freeing the
 * model and the shared adapter afterwards.
 *
 * @example
 * const { metrics } = await trainChildRun(tempDir('meta-resume'));
 */
export async function trainChildRun(runDir: string, resume = false): Promise<Awaited<ReturnType<typeof metaTrain>>> {
  const { model, fingerprint } = await loadModelSource(CHILD_SOURCE);
  try {
    const result = await metaTrain({
      model,
      modelSource: CHILD_SOURCE,
      fingerprint,
      config: CHILD_CONFIG,
      episodes: CHILD_EPISODES,
      runDir,
      resume,
      progress: false,
    });
    result.shared.dispose();
    return result;
  } finally {
    model.dispose();
  }
}
