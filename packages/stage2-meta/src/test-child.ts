/**
 * A meta-training run in its own process, for the kill-and-resume test:
 * `node --conditions=@meta-lora/source --import tsx test-child.ts RUN_DIR`. Always resumes when RUN_DIR has a
 * checkpoint.
 */
import { initBackend } from '@meta-lora/lora-core';
import { trainChildRun } from './test-child-config.ts';

await initBackend({ quiet: true });
await trainChildRun(process.argv[2] as string, true);
