/**
 * The hyper-parameters a study chose on dev, as a file: `docs/results/<experiment>/hyper-parameters.json`, written by
 * `pnpm study -- --publish` and read by `pnpm pipeline` when `experiment.json` names it (`hyperParameters`).
 *
 * Why: the protocol searches each method's grid at the study's first seed and reuses the choice at the other seeds.
 * The default pipeline is the study's first cell (k = 16, seed 0); reusing the published choices, it trains only the
 * chosen grid point of each method — a third of the work — and reproduces that cell. A k the file does not hold, or a
 * missing file, searches the grids as the study does.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, readJsonFile, writeFileAtomic } from '@meta-lora/artifacts';
import { z } from 'zod';
import type { LoadedExperiment } from './experiment.ts';
import { REPO_ROOT } from './run-dir.ts';

export const HYPER_PARAMETERS_FILE = 'hyper-parameters.json';

const Lr = z.number().positive().max(10);
const LrFor = z.record(z.string().regex(/^[a-z0-9-]+:[^/\\]+$/), Lr);

const StudyChoicesSchema = z.strictObject({
  fullData: LrFor.describe('learning rate per `<method>:<taskId>` of the full-data baselines'),
  byK: z
    .record(
      z.string().regex(/^[0-9]+$/),
      z.strictObject({
        meta: z
          .strictObject({ innerLr: Lr, innerSteps: z.number().int().min(1).max(1000), metaLr: Lr })
          .optional()
          .describe("MeTA-LoRA's selected (inner lr, inner steps, meta lr)"),
        lrFor: LrFor.optional().describe("the k-shot baseline's learning rate"),
      }),
    )
    .describe('per k: what was chosen for the k-dependent methods'),
});
export type StudyChoices = z.output<typeof StudyChoicesSchema>;

const FileSchema = z.strictObject({
  experiment: z.string(),
  commit: z.string(),
  note: z.string(),
  choices: StudyChoicesSchema,
});

/**
 * `variant` with `choices` at `k`: MeTA-LoRA's grid becomes the chosen candidate and each chosen learning rate is fixed
 * through `baselines.lrFor`. What `choices` does not hold keeps its grid.
 *
 * @example
 * const pinned = applyChoices(exp, readStudyChoices('docs/results/multitask/hyper-parameters.json'), 16);
 */
export function applyChoices(variant: LoadedExperiment, choices: StudyChoices, k: number): LoadedExperiment {
  const atK = choices.byK[String(k)];
  const train = variant.config.train;
  return {
    ...variant,
    config: {
      ...variant.config,
      train: {
        ...train,
        ...(atK?.meta ? { metaGrid: [atK.meta] } : {}),
        baselines: { ...train.baselines, lrFor: { ...train.baselines.lrFor, ...choices.fullData, ...atK?.lrFor } },
      },
    },
  };
}

/** Writes the choices of a study (atomically), with where they came from. */
export function writeStudyChoices(path: string, experiment: string, commit: string, choices: StudyChoices): void {
  const file: z.output<typeof FileSchema> = {
    experiment,
    commit,
    note: 'chosen on dev at the first seed of the study; `pnpm pipeline` reuses them when experiment.json names this file as `hyperParameters`',
    choices,
  };
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * Reads a `hyper-parameters.json`. A malformed file is a CONFIG_INVALID error naming the file and the field.
 *
 * @example
 * const choices = readStudyChoices('docs/results/multitask/hyper-parameters.json');
 */
export function readStudyChoices(path: string): StudyChoices {
  const json = readJsonFile(path, { what: "a study's chosen hyper-parameters" });
  return parseConfig(FileSchema, json, 'hyper-parameters', {
    path,
    fix: 'rewrite it with `pnpm study -- --publish`, or drop `hyperParameters` from experiment.json to search the grids',
  }).choices;
}

/**
 * The experiment as `pnpm pipeline` runs it: with the study's choices at its k when `experiment.json` names a
 * `hyperParameters` file that exists, unchanged (every grid searched) otherwise. Says which on `log`.
 *
 * @example
 * const exp = withStudyChoices(loadExperiment('multitask'), console.log);
 */
export function withStudyChoices(exp: LoadedExperiment, log: (line: string) => void): LoadedExperiment {
  const named = exp.config.experiment.hyperParameters;
  if (named === undefined) return exp;
  const path = resolve(REPO_ROOT, named);
  if (!existsSync(path)) {
    log(`hyper-parameters: ${named} does not exist yet, so every grid is searched`);
    return exp;
  }
  const choices = readStudyChoices(path);
  const k = exp.config.data.k;
  const atK = choices.byK[String(k)];
  log(
    `hyper-parameters: the study's choices from ${named} (full-data learning rates${atK ? `, and k = ${k}'s MeTA-LoRA candidate and k-shot learning rate` : `; k = ${k} is not in it, so MeTA-LoRA's grid and the k-shot baseline's are searched`})`,
  );
  return applyChoices(exp, choices, k);
}
