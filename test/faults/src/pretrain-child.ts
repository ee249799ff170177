/**
 * A tiny pretraining run in its own process, for the fault-injection suite:
 * `node --conditions=@meta-lora/source --import tsx pretrain-child.ts RUN_DIR`. It resumes RUN_DIR's checkpoint when
 * there is one, so a killed run is continued by running this again. The model and the stream are those of
 * tooling/base-model's determinism and resume tests (`tinyPretrainConfig`, `countingStream`), checkpointing every 10
 * steps.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { countingStream, pretrain, tinyPretrainConfig } from '@meta-lora/base-model';
import { initBackend } from '@meta-lora/lora-core';

const config = tinyPretrainConfig({ checkpointEvery: 10 });
const train = countingStream(3, 3000);

await initBackend({ quiet: true });
const runDir = process.argv[2] as string;
const resume = existsSync(join(runDir, 'checkpoint', 'trainer_state.json'));
const { model } = await pretrain(
  config,
  { train, heldOut: train.slice(0, 400) },
  { runDir, tokens: { bosTokenId: 0, eosTokenId: 0, padTokenId: 1 }, resume, log: () => {} },
);
model.dispose();
