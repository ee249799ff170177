/** The layout of a run directory, one sub-directory per stage, and the resolved config each stage writes there. */
import { join, resolve } from 'node:path';
import { canonicalJson, writeFileAtomic } from '@meta-lora/artifacts';
import type { LoadedExperiment } from './experiment.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export function stageDir(exp: LoadedExperiment, stage: string): string {
  return join(exp.runDir, stage);
}

/** The base model directory, resolved against the repository root. */
export function modelDir(exp: LoadedExperiment): string {
  return resolve(REPO_ROOT, exp.config.experiment.model);
}

/** Writes the resolved (defaulted) experiment into the stage's directory: what this run actually used. */
export function writeResolvedConfig(exp: LoadedExperiment, stage: string): void {
  writeFileAtomic(
    join(stageDir(exp, stage), 'resolved-config.json'),
    `${JSON.stringify(JSON.parse(canonicalJson(exp.config)), null, 2)}\n`,
  );
}
