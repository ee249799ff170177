/**
 * Published study cells: each finished (k, seed) cell of a study, as the records its report reads, in
 * `docs/results/<experiment>/cells/k<k>-seed<seed>/`. A study that finds a cell there treats it as finished, so a study
 * committed cell by cell resumes on a fresh clone (its run directory gone) and a reviewer re-renders the report from the
 * committed records.
 *
 * Why: a study takes many sittings on one machine (the multilingual one about a day), and a sitting's run directory may
 * not survive to the next. What survives is the repository.
 *
 * A cell is finished once its `variant-time.json` exists (the study writes it after the last stage), and it records its
 * identity there and in `cell.json`: a hash of what its numbers depend on (`cellIdentity`). A cell, in the run
 * directory or published, is used only where its identity matches the variant the study would run; otherwise the
 * study says so and runs it. A published cell is untrusted data: its records are validated when read, a symbolic
 * link in it is refused, and paths inside it are fixed names or come from numbers (k, seed, the meta candidate's
 * index), never from data.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  configHash,
  MetaLoraError,
  parseConfig,
  readArtifact,
  readJsonFile,
  withRunLock,
  writeDirAtomic,
  writeFileAtomic,
} from '@meta-lora/artifacts';
import { EvalResultsArtifact, findMetricLogs } from '@meta-lora/eval';
import { modelFingerprint, modelTextFileHashes } from '@meta-lora/lora-core';
import { z } from 'zod';
import { type LoadedExperiment, PIPELINES_DIR } from './experiment.ts';
import { modelDir } from './run-dir.ts';
import { selectedMetaLog } from './stages/report.ts';

export const CELL_FILE = 'cell.json';
/** Written after a cell's last stage: the marker of a finished cell. */
const VARIANT_TIME = 'variant-time.json';
/** A finished cell's merged results (the study's report reads it and its companions). */
export const CELL_RESULTS = join('eval', 'eval-results.arrow');
/** What a finished cell keeps, relative to its run directory, beside its JSONL metric logs (`findMetricLogs`). */
/** The results' companions in a cell: what `mergeEvalResults` reads beside them. */
const CELL_COMPANIONS = [join('eval', 'eval-cells.arrow'), join('eval', 'eval-examples.arrow')];
const RECORDS = [
  VARIANT_TIME,
  CELL_RESULTS,
  ...CELL_COMPANIONS,
  join('train', 'baselines.arrow'),
  join('train', 'meta-tuning.arrow'),
  join('adapt', 'adaptation.arrow'),
];

const VariantTimeSchema = z.strictObject({
  seconds: z
    .number()
    .min(0)
    .describe(
      'seconds of the cell: the sum of its stages, each timed in the run that finished it (before 2026-12-06: the ' +
        'wall time of the run that finished the cell)',
    ),
  commit: z.string().optional().describe('the commit it ran at (absent in cells of older studies)'),
  stages: z
    .record(z.string(), z.number().min(0))
    .optional()
    .describe('seconds of each stage (absent before 2026-12-06)'),
  stageCommits: z
    .record(z.string(), z.string())
    .optional()
    .describe("the commit each stage ran at, where a resumed cell's stages ran at more than one"),
  identity: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .describe('`cellIdentity` of the variant that ran (absent before 2026-12-06)'),
});
/** `variant-time.json`: a finished cell's seconds, the commit it ran at and the seconds of each stage. */
export type VariantTime = z.output<typeof VariantTimeSchema>;

/** Whether `dir` holds a finished cell: its time record (written last) and its results. */
export function isFinishedCell(dir: string): boolean {
  return existsSync(join(dir, VARIANT_TIME)) && existsSync(join(dir, CELL_RESULTS));
}

/**
 * Whether the cell finished in `runDir` is already published at `target`: both hold the same time record, byte for
 * byte (written once, when the cell finished), and `target` its `cell.json`. An interim publish skips such cells.
 */
export function isPublished(runDir: string, target: string): boolean {
  const time = (dir: string) => (existsSync(join(dir, VARIANT_TIME)) ? readFileSync(join(dir, VARIANT_TIME)) : null);
  const ran = time(runDir);
  const published = time(target);
  return ran !== null && published !== null && existsSync(join(target, CELL_FILE)) && ran.equals(published);
}

/** Writes `variant-time.json` into a cell's directory: the cell is finished. */
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

const modelIdentities = new Map<string, string>();
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
/** A file's sha256, or what kept it from being read (the stage that reads it then says so). */
function fileHash(path: string): string {
  try {
    return sha256(readFileSync(path));
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

/**
 * What a cell's numbers depend on, hashed: its `data`, `train` and `eval` settings (k, seed, grids or the choices
 * reused from the first seed, budgets, methods), with the data files a user suite names hashed by content; and the base
 * model (`modelFingerprint`: config.json and the weights, whole up to 256 MiB, else their headers) with its tokenizer
 * and generation files. Not `experiment.json` (its study grid, description, published choices; the model's path): a
 * study grows a k or a seed without running its cells again.
 *
 * @example
 * cellIdentity(studyVariant(exp, 16, 0, true)); // '3f9c…' (64 hex digits)
 */
export function cellIdentity(variant: LoadedExperiment): string {
  const dir = modelDir(variant);
  let model = modelIdentities.get(dir);
  if (model === undefined) {
    model = configHash({ weights: modelFingerprint(dir), files: modelTextFileHashes(dir) });
    modelIdentities.set(dir, model);
  }
  const { data, train, eval: evalConfig } = variant.config;
  const paths = data.paths.map((p) => fileHash(resolve(PIPELINES_DIR, p)));
  return configHash({ studyCell: 2, data: { ...data, paths }, train, eval: evalConfig, model });
}

/** The directory of cell (k, seed) under a study's published results. */
export function publishedCellDir(resultsDir: string, k: number, seed: number): string {
  return join(resultsDir, 'cells', `k${k}-seed${seed}`);
}

/**
 * The results of cell (k, seed) published under `resultsDir` (its `eval-results.arrow`, with the companions beside
 * it) and the commit it ran at, or undefined when that cell has not finished there. A published cell is untrusted
 * data: a symbolic link on the way to any file read is refused, `cell.json` is checked against its schema and must be
 * the cell of its directory, and so must every results row (its seed, and its k where it has one). Another study
 * compares itself with these (`study.against`).
 *
 * @example
 * publishedCellResults('docs/results/multilingual', 32, 0)?.resultsPath; // '…/cells/k32-seed0/eval/eval-results.arrow'
 */
export function publishedCellResults(
  resultsDir: string,
  k: number,
  seed: number,
): { resultsPath: string; commit: string } | undefined {
  const dir = publishedCellDir(resultsDir, k, seed);
  const fix = `delete ${dir}, or publish the cell again from its study (\`pnpm study -- --publish\`)`;
  refuseLinks(resultsDir, [relative(resultsDir, dir)]);
  if (!existsSync(join(dir, CELL_FILE))) return undefined;
  refuseLinks(dir, [CELL_FILE, VARIANT_TIME, CELL_RESULTS, ...CELL_COMPANIONS]);
  const path = join(dir, CELL_FILE);
  const cell = parseConfig(CellSchema, readJsonFile(path, { what: 'published study cell' }), 'cell', { path, fix });
  if (cell.k !== k || cell.seed !== seed) {
    throw new MetaLoraError(
      'DATA_INVALID',
      `the cell in k${k}-seed${seed}/ says it is k ${cell.k}, seed ${cell.seed}`,
      {
        path,
        field: 'k',
        value: { k: cell.k, seed: cell.seed },
        fix,
      },
    );
  }
  if (!isFinishedCell(dir)) return undefined;
  const resultsPath = join(dir, CELL_RESULTS);
  const stray = readArtifact(resultsPath, EvalResultsArtifact).rows.find(
    (r) => r.seed !== seed || (r.k !== undefined && r.k !== k),
  );
  if (stray !== undefined) {
    throw new MetaLoraError(
      'DATA_INVALID',
      `a result of ${stray.method} on ${stray.taskId} is for seed ${stray.seed}${stray.k === undefined ? '' : `, k ${stray.k}`}, not this cell's k ${k}, seed ${seed}`,
      { path: resultsPath, field: 'seed', value: { k: stray.k, seed: stray.seed }, fix },
    );
  }
  return { resultsPath, commit: cell.commit };
}

/**
 * Copies the records of `variant`'s finished cell (from `variant.runDir`) to `target`, with `cell.json`, replacing
 * `target` atomically under the lock of its parent (`cells/`), which clears what a killed publisher left. The identity
 * published is the one the cell recorded when it finished (a cell from before cells recorded it gets `cellIdentity`
 * of `variant`). A symbolic link at `target` or its parent is refused.
 *
 * @example
 * await publishCell(variant, publishedCellDir('docs/results/multilingual', 16, 0), commit);
 */
export async function publishCell(variant: LoadedExperiment, target: string, commit: string): Promise<void> {
  refuseLinks(dirname(dirname(target)), [relative(dirname(dirname(target)), target)]);
  const logs = findMetricLogs(variant.runDir).map((f) => relative(variant.runDir, f));
  const files = [...RECORDS.filter((f) => existsSync(join(variant.runDir, f))), ...logs];
  const cell: Cell = {
    k: variant.config.data.k,
    seed: variant.config.data.seed,
    identity: readVariantTime(variant.runDir).identity ?? cellIdentity(variant),
    commit,
    config: variant.config,
  };
  mkdirSync(dirname(target), { recursive: true });
  await withRunLock(dirname(target), 'publish a study cell', () =>
    writeDirAtomic(target, (tmp) => {
      for (const file of files) {
        mkdirSync(dirname(join(tmp, file)), { recursive: true });
        copyFileSync(join(variant.runDir, file), join(tmp, file));
      }
      // Inside the temporary directory that is renamed into place whole, so a plain write is enough.
      writeFileSync(join(tmp, CELL_FILE), `${JSON.stringify(cell, null, 2)}\n`);
    }),
  );
}

/**
 * Refuses a symbolic link at any of `paths` (relative to `root`) or on the way to it, and at `root` itself: a
 * published cell is data from a repository, and a link in it could point reads or writes anywhere.
 */
function refuseLinks(root: string, paths: readonly string[]): void {
  const check = (path: string) => {
    let link = false;
    try {
      link = lstatSync(path).isSymbolicLink();
    } catch {
      return; // absent: nothing to follow
    }
    if (link) {
      throw new MetaLoraError('DATA_INVALID', `${path} is a symbolic link; a published study cell holds plain files`, {
        path,
        fix: `delete ${path} (the study then runs the cell again)`,
      });
    }
  };
  check(root);
  for (const p of paths) {
    const parts = p.split(sep);
    for (let i = 1; i <= parts.length; i++) check(join(root, ...parts.slice(0, i)));
  }
}

/**
 * Where the records of `variant`'s finished cell are: its run directory when the cell finished there, else the
 * published cell `published`, each only where the identity it recorded matches `variant` (a run-directory cell from
 * before cells recorded it is taken as is), else undefined (the cell is to run). A cell of another identity is
 * reported through `log` and left alone.
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
  const { k, seed } = variant.config.data;
  const other = (where: string, identity: string) =>
    log(
      `k ${k}, seed ${seed}: the cell in ${where} ran another configuration or base model (identity ${identity.slice(0, 12)}, this study's ${cellIdentity(variant).slice(0, 12)}); not taken`,
    );
  if (isFinishedCell(variant.runDir)) {
    const { identity } = readVariantTime(variant.runDir);
    if (identity === undefined || identity === cellIdentity(variant)) return { dir: variant.runDir };
    other(variant.runDir, identity);
  }
  if (published === undefined || !existsSync(join(published, CELL_FILE))) return undefined;
  const records = [...RECORDS, CELL_FILE, 'train'];
  refuseLinks(dirname(dirname(published)), [relative(dirname(dirname(published)), published)]);
  refuseLinks(published, records);
  const path = join(published, CELL_FILE);
  const cell = parseConfig(CellSchema, readJsonFile(path, { what: 'published study cell' }), 'cell', {
    path,
    fix: `delete ${published} (the study then runs the cell again)`,
  });
  if (cell.k !== k || cell.seed !== seed || cell.identity !== cellIdentity(variant)) {
    other(published, cell.identity);
    return undefined;
  }
  if (!isFinishedCell(published)) return undefined;
  refuseLinks(published, [relative(published, selectedMetaLog({ ...variant, runDir: published }))]);
  return { dir: published, publishedAt: cell.commit };
}
