/** A meta-iteration's batch of tasks, as meta-training takes it, and the check that a list of them can be trained on. */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { TaskData } from '@meta-lora/stage1-adapt';

/** One meta-iteration's batch of tasks (data-sampling's resolved episode, encoded to token ids). */
export interface MetaEpisode {
  readonly iteration: number;
  readonly tasks: readonly TaskData[];
}

/** Refuses an empty episode list or an episode without tasks. */
export function checkEpisodes(episodes: readonly MetaEpisode[]): void {
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
