/** One task's examples from a `tasks.arrow` artifact or a user dataset file, for `meta-lora adapt` and `eval --data`. */
import { MetaLoraError, readArtifact } from '@meta-lora/artifacts';
import { type Example, loadUserDatasets, parseDataConfig, TasksArtifact } from '@meta-lora/data-sampling';

/** The task's examples from a `tasks.arrow` artifact or a user dataset file (JSONL, CSV, Arrow IPC, Parquet). */
export async function taskExamples(path: string, task: string): Promise<Example[]> {
  const all = path.endsWith('.arrow')
    ? readArtifact(path, TasksArtifact).rows
    : await loadUserDatasets([path], { split: parseDataConfig({}).split, tasks: [task] });
  const examples = all.filter((e) => e.taskId === task);
  if (examples.length === 0) {
    const known = [...new Set(all.map((e) => e.taskId))].sort().slice(0, 20).join(', ');
    throw new MetaLoraError('EMPTY_TASK', `task ${JSON.stringify(task)} has no examples in the file`, {
      path,
      field: '--task',
      value: task,
      fix: `pass one of the file's tasks: ${known}`,
    });
  }
  return examples;
}
