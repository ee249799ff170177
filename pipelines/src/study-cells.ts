/**
 * Published study cells: each finished (k, seed) cell of a study, as the records its report reads, in
 * `docs/results/<experiment>/cells/k<k>-seed<seed>/`. A study that finds a cell there treats it as finished, so a study
 * committed cell by cell resumes on a fresh clone (its run directory gone) and a reviewer re-renders the report from the
 * committed records.
 *
 * Why: a study takes many sittings on one machine (the multilingual one about a day), and a sitting's run directory may
 * not survive to the next. What survives is the repository.
 *
 * A cell records its identity: a hash of the variant's whole resolved config (k, seed, grids or the choices reused from
 * the first seed, budgets, methods) and of the base model's bytes. A published cell is used only where the identity
 * matches the variant the study would run; otherwise the study says so and runs it. Paths inside a cell are fixed
 * names or come from numbers (k, seed, the meta candidate's index), never from data.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { configHash, parseConfig, readJsonFile, writeDirAtomic, writeFileAtomic } from '@meta-lora/artifacts';
import { modelFingerprint } from '@meta-lora/lora-core';
import { z } from 'zod';
import type { LoadedExperiment } from './experiment.ts';
import { modelDir } from './run-dir.ts';
import { selectedMetaLog } from './stages/report.ts';

export const CELL_FILE = 'cell.json';
const VARIANT_TIME = 'variant-time.json';
/** The marker of a finished cell (the study's report reads it and its companions). */
export const CELL_RESULTS = join('eval', 'eval-results.arrow');
/** What a finished cell keeps, relative to its run directory, beside the selected meta candidate's `metrics.jsonl`. */
const RECORDS = [
  VARIANT_TIME,
  CELL_RESULTS,
  join('eval', 'eval-cells.arrow'),
  join('eval', 'eval-examples.arrow'),
  join('train', 'baselines.arrow'),
  join('train', 'meta-tuning.arrow'),
  join('adapt', 'adaptation.arrow'),
];

const VariantTimeSchema = z.strictObject({
  seconds: z.number().min(0).describe('wall seconds of the run that finished the cell'),
  commit: z.string().optional().describe('the commit it ran at (absent in cells of older studies)'),
  stages: z
    .record(z.string(), z.number().min(0))
    .optional()
    .describe('seconds of each stage (absent before 2026-12-06)'),
});
/** `variant-time.json`: a finished cell's wall time, the commit it ran at and the seconds of each stage. */
export type VariantTime = z.output<typeof VariantTimeSchema>;

/** Writes `variant-time.json` into a cell's directory. */
export function writeVariantTime(dir: string, time: VariantTime): void {
  writeFileAtomic(join(dir, VARIANT_TIME), `${JSON.stringify(time)}\n`);
}

/** A finished cell's `variant-time.json`, checked; `{ seconds: 0 }` for a cell of a study from before it existed. */
export function readVariantTime(dir: string): VariantTime {
  const path = join(dir, VARIANT_TIME);
  if (!existsSync(path)) return { seconds: 0 };
  return parseConfig(VariantTimeSchema, readJsonFile(path, { what: 'cell time record' }), 'variant-time', {
    path,
    fix: `delete ${dir} (the study then runs the cell again)`,
  });
}

const CellSchema = z.strictObject({
  k: z.number().int().min(1),
  seed: z.number().int().min(0),
  identity: z.string().regex(/^[0-9a-f]{64}$/),
  commit: z.string(),
  config: z.unknown().describe('the resolved config the cell ran (for readers; the identity hashes it)'),
});
type Cell = z.output<typeof CellSchema>;

const fingerprints = new Map<string, string>();

/**
 * What a cell's numbers depend on: the variant's resolved config and the base model's bytes, hashed.
 *
 * @example
 * cellIdentity(studyVariant(exp, 16, 0, true)); // '3f9c…' (64 hex digits)
 */
export function cellIdentity(variant: LoadedExperiment): string {
  const dir = modelDir(variant);
  let model = fingerprints.get(dir);
  if (model === undefined) {
    model = modelFingerprint(dir);
    fingerprints.set(dir, model);
  }
  return configHash({ studyCell: 1, config: variant.config, model });
}

/** The directory of cell (k, seed) under a study's published results. */
export function publishedCellDir(resultsDir: string, k: number, seed: number): string {
  return join(resultsDir, 'cells', `k${k}-seed${seed}`);
}

/**
 * Copies the records of `variant`'s finished cell (from `variant.runDir`) to `target`, with `cell.json`, replacing
 * `target` atomically.
 *
 * @example
 * await publishCell(variant, publishedCellDir('docs/results/multilingual', 16, 0), commit);
 */
export async function publishCell(variant: LoadedExperiment, target: string, commit: string): Promise<void> {
  const files = [...RECORDS, relative(variant.runDir, selectedMetaLog(variant))].filter((f) =>
    existsSync(join(variant.runDir, f)),
  );
  const cell: Cell = {
    k: variant.config.data.k,
    seed: variant.config.data.seed,
    identity: cellIdentity(variant),
    commit,
    config: variant.config,
  };
  await writeDirAtomic(target, (tmp) => {
    for (const file of files) {
      mkdirSync(dirname(join(tmp, file)), { recursive: true });
      copyFileSync(join(variant.runDir, file), join(tmp, file));
    }
    // Inside the temporary directory that is renamed into place whole, so a plain write is enough.
    writeFileSync(join(tmp, CELL_FILE), `${JSON.stringify(cell, null, 2)}\n`);
  });
}

/**
 * Where the records of `variant`'s finished cell are: its run directory when it finished there, else the published
 * cell `published` when its identity matches (its `commit` is returned too), else undefined (the cell is to run). A
 * published cell of another identity is reported through `log` and left alone.
 *
 * @example
 * const found = findFinishedCell(variant, publishedCellDir(resultsDir, 16, 0), log);
 * if (found) readTuningRun({ ...variant, runDir: found.dir });
 */
export function findFinishedCell(
  variant: LoadedExperiment,
  published: string | undefined,
  log: (line: string) => void = () => {},
): { dir: string; publishedAt?: string } | undefined {
  if (existsSync(join(variant.runDir, CELL_RESULTS))) return { dir: variant.runDir };
  if (published === undefined || !existsSync(join(published, CELL_FILE))) return undefined;
  const path = join(published, CELL_FILE);
  const cell = parseConfig(CellSchema, readJsonFile(path, { what: 'published study cell' }), 'cell', {
    path,
    fix: `delete ${published} (the study then runs the cell again)`,
  });
  const { k, seed } = variant.config.data;
  if (cell.k !== k || cell.seed !== seed || cell.identity !== cellIdentity(variant)) {
    log(
      `k ${k}, seed ${seed}: the published cell ${published} ran another configuration or base model (identity ${cell.identity.slice(0, 12)}, this study's ${cellIdentity(variant).slice(0, 12)}); running the cell here`,
    );
    return undefined;
  }
  if (!existsSync(join(published, CELL_RESULTS))) return undefined;
  return { dir: published, publishedAt: cell.commit };
}
