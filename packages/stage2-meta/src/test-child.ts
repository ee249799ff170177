/**
 * A meta-training run in its own process, for the kill-and-resume test:
 * `node --conditions=@meta-lora/source --import tsx test-child.ts RUN_DIR`. Always resumes when RUN_DIR has a
 * checkpoint.
 */
import { initBackend } from '@meta-lora/lora-core';
import { loadModelSource } from '@meta-lora/stage1-adapt';
import { metaTrain } from './meta-train.ts';
import { CHILD_CONFIG, CHILD_EPISODES, CHILD_SOURCE } from './test-child-config.ts';

await initBackend({ quiet: true });
const runDir = process.argv[2] as string;
const { model, fingerprint } = await loadModelSource(CHILD_SOURCE);
const { shared } = await metaTrain({
  model,
  modelSource: CHILD_SOURCE,
  fingerprint,
  config: CHILD_CONFIG,
  episodes: CHILD_EPISODES,
  runDir,
  resume: true,
  progress: false,
});
shared.dispose();
model.dispose();
