/**
 * MeTA-LoRA's hyper-parameter grid (`metaGrid`): each candidate (inner lr, inner steps, meta lr) is meta-trained in a
 * run directory of its own, and the one with the lowest dev loss after stage-1 adaptation is selected. Its best dev
 * checkpoint becomes the run's `adapters/selected` (the adapter evaluated as MeTA-LoRA), and its stage-1 settings are
 * the ones test-time adaptation uses (`meta-tuning.arrow`, the row with `selected`).
 *
 * One candidate (an empty grid) trains in the run directory itself, as `metaTrain` alone does.
 */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineArtifactKind, readArtifact, writeDirAtomic } from '@meta-lora/artifacts';
import type { AdaptConfig } from '@meta-lora/stage1-adapt';
import * as z from 'zod';
import { type MetaConfig, metaCandidates } from './config.ts';
import type { MetaTrainResult } from './meta-train.ts';

export const MetaTuningRowSchema = z.strictObject({
  candidate: z.number().int().min(0).describe('index in `metaGrid` (0 for a run without a grid)'),
  innerLr: z.number().positive().describe('stage-1 learning rate'),
  innerSteps: z.number().int().min(0).describe('stage-1 steps'),
  metaLr: z.number().positive().describe('meta learning rate'),
  iterations: z.number().int().min(0).describe('meta-iterations run (early stopping may end a run sooner)'),
  bestIteration: z.number().int().min(0).optional().describe('iteration of the lowest dev loss (absent without dev)'),
  bestDevLoss: z.number().optional().describe('lowest dev loss after adaptation (absent without dev)'),
  selected: z.boolean().describe('whether this candidate is the one evaluated'),
});
export type MetaTuningRow = z.infer<typeof MetaTuningRowSchema>;

/** The `meta-tuning` artifact: one row per candidate of the grid. */
export const MetaTuningArtifact = defineArtifactKind({
  kind: 'meta-tuning',
  schemaVersion: 1,
  row: MetaTuningRowSchema,
});

export const META_TUNING_FILE = 'meta-tuning.arrow';

/**
 * Where candidate `i` of `config`'s grid trains.
 *
 * @example
 * candidateDir('runs/x/train', config, 1); // runs/x/train/meta/c1 (with a grid), runs/x/train (without)
 */
export function candidateDir(runDir: string, config: MetaConfig, i: number): string {
  return metaCandidates(config).length === 1 ? runDir : join(runDir, 'meta', `c${i}`);
}

/**
 * The rows of a finished grid; the lowest dev loss is selected (ties and runs without dev: the earlier candidate).
 *
 * @example
 * const rows = metaTuningRows(metaCandidates(config), results);
 */
export function metaTuningRows(
  candidates: readonly MetaConfig[],
  results: readonly Pick<MetaTrainResult, 'nextIteration' | 'bestIteration' | 'bestDevLoss'>[],
): MetaTuningRow[] {
  let chosen = 0;
  results.forEach((r, i) => {
    const best = results[chosen]?.bestDevLoss ?? null;
    if (r.bestDevLoss !== null && best !== null && r.bestDevLoss < best) chosen = i;
  });
  return candidates.map((c, i) => {
    const r = results[i] as (typeof results)[number];
    return {
      candidate: i,
      innerLr: c.adapt.innerLr,
      innerSteps: c.adapt.innerSteps,
      metaLr: c.metaLr,
      iterations: r.nextIteration,
      ...(r.bestIteration === null ? {} : { bestIteration: r.bestIteration }),
      ...(r.bestDevLoss === null ? {} : { bestDevLoss: r.bestDevLoss }),
      selected: i === chosen,
    };
  });
}

/**
 * Copies the selected candidate's best dev checkpoint (its final adapter when it had no dev set) to
 * `runDir/adapters/selected`, atomically.
 *
 * @example
 * await writeSelectedAdapter('runs/x/train', config, rows);
 */
export async function writeSelectedAdapter(
  runDir: string,
  config: MetaConfig,
  rows: readonly MetaTuningRow[],
): Promise<string> {
  const row = rows.find((r) => r.selected) as MetaTuningRow;
  const from = candidateDir(runDir, config, row.candidate);
  const best = join(from, 'adapters', 'best');
  const source = row.bestDevLoss !== undefined && existsSync(best) ? best : join(from, 'adapters', 'shared');
  const target = join(runDir, 'adapters', 'selected');
  await writeDirAtomic(target, (tmp) => cpSync(source, tmp, { recursive: true }));
  return target;
}

/**
 * The stage-1 settings test-time adaptation uses: the selected candidate's, from a training run directory's
 * `meta-tuning.arrow` (the config's own when the run has none).
 *
 * @example
 * const adapt = selectedAdaptConfig('runs/x/train', config.adapt);
 */
export function selectedAdaptConfig(runDir: string, adapt: AdaptConfig): AdaptConfig {
  const path = join(runDir, META_TUNING_FILE);
  if (!existsSync(path)) return adapt;
  const row = readArtifact(path, MetaTuningArtifact).rows.find((r) => r.selected);
  return row ? { ...adapt, innerLr: row.innerLr, innerSteps: row.innerSteps } : adapt;
}
