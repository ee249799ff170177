/** Stage `data`: build the suite into `tasks.arrow`, then draw pools, episodes and data-usage accounting. */
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { inspectArtifact, runDataBuild, runDataSample } from '@meta-lora/data-sampling';
import { loadTokenizer } from '@meta-lora/lora-core';
import type { LoadedExperiment } from '../experiment.ts';
import { modelDir, stageDir, writeResolvedConfig } from '../run-dir.ts';

export async function runDataStage(exp: LoadedExperiment, log: (line: string) => void): Promise<void> {
  const out = stageDir(exp, 'data');
  writeResolvedConfig(exp, 'data');
  const tasksPath = join(out, 'tasks.arrow');
  const dir = modelDir(exp);
  const tokenizer = await loadTokenizer(dir);
  if (!tokenizer) {
    throw new MetaLoraError('TOKENIZER_INVALID', `the base model ${dir} has no tokenizer.json to count tokens with`, {
      path: dir,
      fix: 'set "model" in experiment.json to a Hugging Face directory with a tokenizer',
    });
  }
  await runDataBuild(
    exp.config.data,
    tasksPath,
    tokenizer.hasChatTemplate ? { chatPrompt: (p) => tokenizer.chatPrompt(p) } : {},
  );
  log(inspectArtifact(tasksPath, { rows: 0 }));
  const { notes } = runDataSample(
    exp.config.data,
    tasksPath,
    out,
    (text) => tokenizer.encode(text, { addSpecialTokens: false }).length,
  );
  for (const note of notes) log(`fitted to the data: ${note}`);
  log(inspectArtifact(join(out, 'usage.arrow'), { rows: 0 }));
}
