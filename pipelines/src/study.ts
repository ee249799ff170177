/**
 * The full study: the pipeline at several k (few-shot budgets) and seeds, merged into one results table and one report
 * with the data-efficiency curves. `META_LORA_EXPERIMENT=multitask pnpm study` runs `experiment.json`'s `study` grid.
 *
 * Each (k, seed) variant runs the stages in-process into `runs/<experiment>/study/k<k>-seed<seed>/`; a variant whose
 * results exist is reused, so an interrupted study resumes, and a cell interrupted in a stage resumes at that stage
 * (`cell-stages.ts`). The k-independent references (zero-shot and the full-data baselines) are trained and scored once
 * per seed, in the variant at the experiment's own k (`data.json`'s `k`, or the first k when the grid lacks it). That
 * k runs first, at every seed (so the study's first cell is the default pipeline's configuration, and the headline
 * comparison has all its seeds soonest); then each other k at every seed.
 *
 * `study.json` beside the report records where the numbers came from: the commit, the machine, and each variant's
 * seconds (its stages' times, kept in the variant's `variant-time.json`, so a resumed study still reports the time its
 * cells took).
 * `pnpm study -- --publish` also copies the report and its artifacts to `docs/results/<experiment>/`, with
 * `hyper-parameters.json`: what dev selection chose at the first seed, which `pnpm pipeline` reuses
 * (`experiment.json`'s `hyperParameters`).
 *
 * `pnpm study -- --interim` runs nothing: it reports the cells that have finished, beside a study that may still be
 * running, into `runs/<experiment>/study-interim/` (the report names the missing cells; `study.json` lists them).
 *
 * `--publish` also publishes each cell as it finishes (`study-cells.ts`: `docs/results/<experiment>/cells/`), and a
 * study takes a published cell of the same configuration and base model as finished: committed cell by cell, a study
 * resumes on a fresh clone. `--ignore-published` runs every cell here.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { isMetaLoraError, MetaLoraError, Progress, withRunLock, writeFileAtomic } from '@meta-lora/artifacts';
import { type Method, mergeEvalResults, type RunTuning, readTrainingCurves, writeReport } from '@meta-lora/eval';
import { initBackend } from '@meta-lora/lora-core';
import { type CellStage, runCellStages } from './cell-stages.ts';
import { EXPERIMENT_ENV, experimentName, type LoadedExperiment, loadExperiment } from './experiment.ts';
import { applyChoices, HYPER_PARAMETERS_FILE, type StudyChoices, writeStudyChoices } from './hyper-parameters.ts';
import { REPO_ROOT } from './run-dir.ts';
import { runAdaptStage } from './stages/adapt.ts';
import { runDataStage } from './stages/data.ts';
import { runEvalStage } from './stages/eval.ts';
import { readSanityRun, readTuningRun } from './stages/report.ts';
import { runTrainStage } from './stages/train.ts';
import {
  CELL_RESULTS,
  cellIdentity,
  findFinishedCell,
  isFinishedCell,
  isPublished,
  publishCell,
  publishedCellDir,
  publishedCellResults,
  readVariantTime,
  type VariantTime,
  writeVariantTime,
} from './study-cells.ts';

const K_INDEPENDENT: readonly Method[] = ['base-zero-shot', 'single-task-lora', 'multi-task-lora-full'];
/** The stages a cell runs, in order, with the names its `variant-time.json` gives their seconds under. */
const CELL_STAGES = [
  ['data', runDataStage],
  ['train', runTrainStage],
  ['adapt', runAdaptStage],
  ['eval', runEvalStage],
] as const;

/** The experiment as it runs at budget `k` with `seed`. */
export function studyVariant(exp: LoadedExperiment, k: number, seed: number, first: boolean): LoadedExperiment {
  const { data, train, eval: evalConfig } = exp.config;
  const supportSize = Math.min(data.episodes.supportSize, Math.max(1, Math.floor(k / 2)));
  const querySize = Math.min(data.episodes.querySize, k - supportSize);
  return {
    ...exp,
    runDir: join(exp.runDir, 'study', `k${k}-seed${seed}`),
    config: {
      ...exp.config,
      data: { ...data, k, seed, episodes: { ...data.episodes, supportSize, querySize } },
      train: { ...train, seed, baselineMethods: first ? train.baselineMethods : ['multi-task-pool'] },
      eval: {
        ...evalConfig,
        methods: first ? evalConfig.methods : evalConfig.methods.filter((m) => !K_INDEPENDENT.includes(m)),
      },
    },
  };
}

/** The k whose variant trains and scores the k-independent references: the experiment's own k when the grid has it. */
export function referenceK(exp: LoadedExperiment): number {
  const { ks } = exp.config.experiment.study;
  return ks.includes(exp.config.data.k) ? exp.config.data.k : (ks[0] as number);
}

/** The study's ks in run order: the reference k first, then the others as listed. */
export function studyOrder(exp: LoadedExperiment): number[] {
  const refs = referenceK(exp);
  return [refs, ...exp.config.experiment.study.ks.filter((k) => k !== refs)];
}

/**
 * The study's (k, seed) cells in run order: the reference k at every seed first (the headline comparison, and the
 * references every other cell of its seed is compared with), then each other k at every seed. A seed's cells after the
 * first reuse what dev selection chose at the first seed, at the same k, which has run by then.
 *
 * @example
 * studyCells(exp); // [{ k: 16, seed: 0 }, { k: 16, seed: 1 }, { k: 16, seed: 2 }, { k: 4, seed: 0 }, …]
 */
export function studyCells(exp: LoadedExperiment): { k: number; seed: number }[] {
  const { seeds } = exp.config.experiment.study;
  return studyOrder(exp).flatMap((k) => seeds.map((seed) => ({ k, seed })));
}

/** Where and on what a study ran. */
export interface StudyInfo {
  readonly experiment: string;
  /**
   * The commit the cells ran at: one commit, or each distinct one joined by " + " (a study resumed across commits);
   * "unknown" where a cell did not record it (cells of a study from before cells recorded their commit).
   */
  readonly commit: string;
  /** The commit that rendered this report from the cells. */
  readonly reportCommit: string;
  readonly machine: string;
  /** What ran the matmuls, e.g. `OpenBLAS cblas_sgemm (…, Haswell kernels, 1 thread)`: its kernels set the rounding. */
  readonly matmul: string;
  readonly node: string;
  readonly ks: readonly number[];
  readonly seeds: readonly number[];
  /**
   * Seconds of each variant (the sum of its stages, each timed in the run that finished it; before 2026-12-06 the wall
   * time of the run that finished the variant), the commit it ran at, and the seconds of each stage (cells from before
   * stages were timed have none), seed by seed.
   */
  readonly variants: readonly ({ k: number; seed: number } & VariantTime)[];
  /** Sum over variants: the study's time on this machine, without the attempts that failed. */
  readonly wallSeconds: number;
  /** Cells of the grid not yet finished, left out of an interim report (`--interim`); empty for a whole study. */
  readonly missing: readonly { k: number; seed: number }[];
  /** The study this one is compared with (`study.against`): its published cells read, and those not there. */
  readonly against?: AgainstCells;
  readonly finishedAt: string;
}

/** What `study.against` read of the other study's published cells. */
export interface AgainstCells {
  readonly experiment: string;
  /** Read: each cell with the commit it ran at. */
  readonly cells: readonly { k: number; seed: number; commit: string }[];
  /** Not published there. */
  readonly missing: readonly { k: number; seed: number }[];
}

export interface StudyOptions {
  /** Copy the report and its artifacts to `docs/results/<experiment>/`, and each finished cell to its `cells/`. */
  readonly publish?: boolean;
  /** Run nothing; report the finished cells into `study-interim/`. */
  readonly interim?: boolean;
  /** Take no cell from the published results: run every cell missing from the run directory. */
  readonly ignorePublished?: boolean;
  /** Where the study publishes and finds published cells (default `docs/results/<experiment>/`). */
  readonly resultsDir?: string;
}

/**
 * `variant` re-rooted at the records of its finished cell, or undefined when it has not finished. The default looks in
 * the run directory only; a study also looks among the published cells (`findFinishedCell`).
 */
export type LocateCell = (variant: LoadedExperiment) => LoadedExperiment | undefined;
const inRunDir: LocateCell = (variant) => (isFinishedCell(variant.runDir) ? variant : undefined);

/**
 * The study's `LocateCell`: a cell's run directory, else its published cell under `options.resultsDir` (default
 * `docs/results/<experiment>/`; none with `ignorePublished`), of the same identity (`findFinishedCell`). What it has
 * to say (a cell of another identity) goes to `log`, once per line.
 *
 * @example
 * const locate = cellLocator(exp, { resultsDir: 'docs/results/multilingual' }, console.log);
 * firstSeedChoices(exp, locate);
 */
export function cellLocator(exp: LoadedExperiment, options: StudyOptions, log: (line: string) => void): LocateCell {
  const resultsDir = options.resultsDir ?? join(REPO_ROOT, 'docs', 'results', exp.name);
  const said = new Set<string>();
  const logOnce = (line: string) => {
    if (!said.has(line)) log(line);
    said.add(line);
  };
  return (variant) => {
    const { k, seed } = variant.config.data;
    const published = options.ignorePublished ? undefined : publishedCellDir(resultsDir, k, seed);
    const found = findFinishedCell(variant, published, logOnce);
    return found ? { ...variant, runDir: found.dir } : undefined;
  };
}

/** Files of a study copied to `docs/results/<experiment>/` by `--publish`. */
const PUBLISHED = [
  'report/report.md',
  'report/report.html',
  'study.json',
  'eval/eval-results.arrow',
  'eval/eval-cells.arrow',
];

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    return dirty.trim() === '' ? head : `${head} (with uncommitted changes)`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/**
 * What dev selection chose at the study's first seed: MeTA-LoRA's candidate and the k-shot baseline's learning rate at
 * every k whose first-seed variant has trained, and the full-data baselines' learning rates from the reference variant.
 * A variant's records are read where `locate` finds them, else from its run directory (a cell still training has
 * written its tuning records before it evaluates), unless `finishedOnly`: what a study publishes holds the choices of
 * its finished cells alone.
 *
 * @example
 * const choices = firstSeedChoices(exp); // { fullData: { 'multi-task-full:*': 0.001, … }, byK: { '16': … } }
 */
export function firstSeedChoices(
  exp: LoadedExperiment,
  locate: LocateCell = inRunDir,
  { finishedOnly = false } = {},
): StudyChoices {
  const first = exp.config.experiment.study.seeds[0] as number;
  const refs = referenceK(exp);
  const fullData: Record<string, number> = {};
  const records = (variant: LoadedExperiment): Pick<RunTuning, 'metaTuning' | 'baselines'> => {
    const found = locate(variant) ?? (finishedOnly ? undefined : variant);
    return found ? readTuningRun(found) : {};
  };
  for (const b of records(studyVariant(exp, refs, first, true)).baselines ?? []) {
    if (b.method !== 'multi-task-pool') fullData[`${b.method}:${b.taskId}`] = b.lr;
  }
  const byK: StudyChoices['byK'] = {};
  for (const k of studyOrder(exp)) {
    const run = records(studyVariant(exp, k, first, k === refs));
    const meta = run.metaTuning?.find((r) => r.selected);
    const pool = run.baselines?.find((b) => b.method === 'multi-task-pool');
    if (!meta && !pool) continue;
    byK[String(k)] = {
      ...(meta ? { meta: { innerLr: meta.innerLr, innerSteps: meta.innerSteps, metaLr: meta.metaLr } } : {}),
      ...(pool ? { lrFor: { 'multi-task-pool:*': pool.lr } } : {}),
    };
  }
  return { fullData, byK };
}

/**
 * The variant with the hyper-parameters dev selection chose at the first seed (`study.tuneAtEverySeed` false).
 * Unchanged at the first seed, and where the first seed's records are missing.
 *
 * @example
 * const tuned = reuseFirstSeedChoices(exp, studyVariant(exp, 16, 1, false), 16);
 */
export function reuseFirstSeedChoices(
  exp: LoadedExperiment,
  variant: LoadedExperiment,
  k: number,
  locate: LocateCell = inRunDir,
): LoadedExperiment {
  const first = exp.config.experiment.study.seeds[0];
  if (exp.config.experiment.study.tuneAtEverySeed || variant.config.data.seed === first) return variant;
  return applyChoices(variant, firstSeedChoices(exp, locate), k);
}

/**
 * Publishes a cell that has just finished; a publisher holding `cells/` (an interim publish beside the study) only
 * delays it, to the next publish, rather than stopping the study.
 */
async function publishFinished(
  variant: LoadedExperiment,
  target: string,
  commit: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    await publishCell(variant, target, commit);
  } catch (error) {
    if (!isMetaLoraError(error) || error.code !== 'RUN_LOCKED') throw error;
    log(`${target} not published now (${error.message}); \`pnpm study -- --interim --publish\` publishes it`);
  }
}

export async function runStudy(
  exp: LoadedExperiment,
  log: (line: string) => void,
  options: StudyOptions = {},
): Promise<string> {
  const dir = join(exp.runDir, options.interim ? 'study-interim' : 'study');
  return withRunLock(dir, 'study', () => runStudyLocked(exp, dir, log, options));
}

async function runStudyLocked(
  exp: LoadedExperiment,
  studyDir: string,
  log: (line: string) => void,
  options: StudyOptions,
): Promise<string> {
  const { ks, seeds, against } = exp.config.experiment.study;
  // Before any cell runs: the study compared with must exist and be another one.
  const other = against === undefined ? undefined : againstExperiment(exp, against);
  const order = studyOrder(exp);
  const refs = referenceK(exp);
  const parts: string[] = [];
  const variants: ({ k: number; seed: number } & VariantTime)[] = [];
  const missing: { k: number; seed: number }[] = [];
  const progress = new Progress({ label: `study ${exp.name}`, total: ks.length * seeds.length, unit: 'variant' });
  const resultsDir = options.resultsDir ?? join(REPO_ROOT, 'docs', 'results', exp.name);
  const locate = cellLocator(exp, options, log);
  const variantOf = (k: number, seed: number) =>
    reuseFirstSeedChoices(exp, studyVariant(exp, k, seed, k === refs), k, locate);
  const done = new Map<string, VariantTime & { dir: string }>();
  for (const { k, seed } of studyCells(exp)) {
    const variant = variantOf(k, seed);
    let dir = locate(variant)?.runDir;
    const ranHere = dir === undefined && !options.interim;
    if (dir !== undefined) {
      log(`k ${k}, seed ${seed}: reusing ${join(dir, CELL_RESULTS)}`);
    } else if (options.interim) {
      log(`k ${k}, seed ${seed}: not finished, left out`);
      progress.skip(1, { note: `k ${k} seed ${seed} missing` });
      continue;
    } else {
      log(`k ${k}, seed ${seed}: running data, train, adapt, eval`);
      const identity = cellIdentity(variant);
      const commit = gitCommit();
      const cellStages = CELL_STAGES.map(([name, stage]): CellStage => [name, () => stage(variant, log)]);
      const { stages, commits } = await runCellStages(variant.runDir, identity, commit, cellStages, log);
      const seconds = Object.values(stages).reduce((a, b) => a + b, 0);
      // A resumed cell whose stages ran at more than one commit says which.
      const mixed = Object.values(commits).some((c) => c !== commit);
      writeVariantTime(variant.runDir, {
        seconds,
        commit,
        stages,
        ...(mixed ? { stageCommits: commits } : {}),
        identity,
      });
      if (options.publish) await publishFinished(variant, publishedCellDir(resultsDir, k, seed), commit, log);
      dir = variant.runDir;
    }
    done.set(`${k}/${seed}`, { dir, ...readVariantTime(dir) });
    // a cell finished earlier counts, but only the cells run here set the rate
    if (ranHere) progress.increment(1, { note: `k ${k} seed ${seed} done` });
    else progress.skip(1, { note: `k ${k} seed ${seed} reused` });
  }
  // The report reads the cells seed by seed, whatever order they ran in.
  for (const seed of seeds) {
    for (const k of order) {
      const cell = done.get(`${k}/${seed}`);
      if (!cell) {
        missing.push({ k, seed });
        continue;
      }
      const { dir: _, ...time } = cell;
      variants.push({ k, seed, ...time });
      parts.push(join(cell.dir, CELL_RESULTS));
    }
  }
  progress.stop();
  if (parts.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', `no cell of the ${exp.name} study has finished yet`, {
      path: join(exp.runDir, 'study'),
      fix: `run \`META_LORA_EXPERIMENT=${exp.name} pnpm study\` until its first cell is done`,
    });
  }
  const resultsPath = join(studyDir, 'eval', 'eval-results.arrow');
  // Results, eval-cells and eval-examples of every variant; the variants' training records for the sanity checks.
  const merged = mergeEvalResults(parts, resultsPath, '@meta-lora/pipelines study');
  if (merged.runsWithExamples < parts.length) {
    log(`per-example results in ${merged.runsWithExamples} of ${parts.length} variants: intervals only where present`);
  }
  const finished = seeds.flatMap((seed) =>
    order
      .filter((k) => done.has(`${k}/${seed}`))
      .map((k) => ({ ...variantOf(k, seed), runDir: (done.get(`${k}/${seed}`) as { dir: string }).dir })),
  );
  const sanity = finished.map(readSanityRun);
  const tuning = finished.map(readTuningRun);
  // The metric logs of every cell, wherever its records are (run directory or published), named as under study/.
  const curves = finished
    .flatMap((v) =>
      readTrainingCurves(v.runDir).map((c) => ({
        ...c,
        file: `k${v.config.data.k}-seed${v.config.data.seed}/${c.file}`,
      })),
    )
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const notice =
    missing.length === 0
      ? undefined
      : `Interim report: ${parts.length} of ${parts.length + missing.length} (k, seed) cells have finished; ` +
        `missing ${missing.map((m) => `k = ${m.k} seed ${m.seed}`).join(', ')}. ` +
        'Means and intervals cover the finished cells only.';
  const compared = other === undefined ? undefined : mergeAgainst(exp, other, resultsDir, studyDir, log);
  const { htmlPath } = writeReport(studyDir, {
    resultsPath,
    outDir: join(studyDir, 'report'),
    sanity,
    tuning,
    curves,
    ...(notice ? { notice } : {}),
    ...(compared?.resultsPath === undefined
      ? {}
      : {
          against: {
            name: compared.cells.experiment,
            resultsPath: compared.resultsPath,
            missing: compared.cells.missing.map((m) => `k = ${m.k} seed ${m.seed}`),
          },
        }),
  });
  const cpu = cpus();
  const info: StudyInfo = {
    experiment: exp.name,
    commit: [...new Set(variants.map((v) => v.commit ?? 'unknown'))].join(' + '),
    reportCommit: gitCommit(),
    machine: `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${process.arch}`,
    matmul: (await initBackend({ quiet: true })).matmul,
    node: process.version,
    ks,
    seeds,
    variants,
    wallSeconds: variants.reduce((sum, v) => sum + v.seconds, 0),
    missing,
    ...(compared ? { against: compared.cells } : {}),
    finishedAt: new Date().toISOString(),
  };
  writeFileAtomic(join(studyDir, 'study.json'), `${JSON.stringify(info, null, 2)}\n`);
  log(`study report: ${htmlPath} (${(info.wallSeconds / 3600).toFixed(2)} h of variants on ${info.machine})`);
  if (options.publish) {
    const target = resultsDir;
    mkdirSync(target, { recursive: true });
    for (const file of PUBLISHED) {
      const from = join(studyDir, file);
      if (existsSync(from)) copyFileSync(from, join(target, file.split('/').at(-1) as string));
    }
    // Cells that finished in this run directory (an interim publish, or a study run without --publish before).
    for (const seed of seeds) {
      for (const k of order) {
        const cell = done.get(`${k}/${seed}`);
        const variant = variantOf(k, seed);
        const target = publishedCellDir(resultsDir, k, seed);
        // a cell published as it finished (or by an earlier publish) has the same time record there
        if (cell?.dir !== variant.runDir || isPublished(cell.dir, target)) continue;
        await publishCell(variant, target, cell.commit ?? 'unknown');
      }
    }
    const choices = firstSeedChoices(exp, locate, { finishedOnly: true });
    writeStudyChoices(join(target, HYPER_PARAMETERS_FILE), exp.name, info.commit, choices);
    log(`published to ${target}`);
  }
  return htmlPath;
}

/** The experiment `study.against` names: another one of the experiments beside `exp`. */
function againstExperiment(exp: LoadedExperiment, name: string): LoadedExperiment {
  const details = {
    path: join(exp.dir, 'experiment.json'),
    field: 'study.against',
    value: name,
    fix: `name another experiment of ${dirname(exp.dir)} in study.against, or remove it`,
  };
  if (name === exp.name) {
    throw new MetaLoraError('CONFIG_INVALID', `study.against names this study itself (${name})`, details);
  }
  try {
    return loadExperiment(name, dirname(exp.dir));
  } catch (error) {
    if (!isMetaLoraError(error) || error.details.field !== EXPERIMENT_ENV) throw error;
    throw new MetaLoraError('CONFIG_INVALID', `study.against: no experiment named ${JSON.stringify(name)}`, details);
  }
}

/**
 * The results of the study `other` that this one compares itself with (`study.against`): its published cells beside
 * this study's (`<resultsDir>/../<name>/cells/`) at this study's ks and seeds, and at its own reference k (where its
 * k-independent references are), merged into `studyDir/against/<name>/eval/`. Cells not published there are named in
 * the log and in the report; `resultsPath` is undefined when none is.
 */
function mergeAgainst(
  exp: LoadedExperiment,
  other: LoadedExperiment,
  resultsDir: string,
  studyDir: string,
  log: (line: string) => void,
): { resultsPath?: string; cells: AgainstCells } {
  const otherDir = join(dirname(resultsDir), other.name);
  const { ks, seeds } = exp.config.experiment.study;
  const parts: string[] = [];
  const cells: { k: number; seed: number; commit: string }[] = [];
  const missing: { k: number; seed: number }[] = [];
  for (const seed of seeds) {
    for (const k of new Set([...ks, referenceK(other)])) {
      const found = publishedCellResults(otherDir, k, seed);
      if (found === undefined) {
        missing.push({ k, seed });
      } else {
        parts.push(found.resultsPath);
        cells.push({ k, seed, commit: found.commit });
      }
    }
  }
  const against = { experiment: other.name, cells, missing };
  if (missing.length > 0) {
    const names = missing.map((m) => `k = ${m.k} seed ${m.seed}`).join(', ');
    log(`against ${other.name}: ${names} not published in ${otherDir}; left out`);
  }
  if (parts.length === 0) return { cells: against };
  const resultsPath = join(studyDir, 'against', other.name, 'eval', 'eval-results.arrow');
  mergeEvalResults(parts, resultsPath, '@meta-lora/pipelines study against');
  return { resultsPath, cells: against };
}

/**
 * The options of `pnpm study -- [--publish] [--interim] [--ignore-published]` (a `--` separator, which pnpm passes
 * through, is skipped); any other argument is a CONFIG_INVALID error naming it.
 *
 * @example
 * parseStudyArgs(['--', '--interim', '--publish']); // { publish: true, interim: true, ignorePublished: false }
 */
export function parseStudyArgs(argv: readonly string[]): StudyOptions {
  const args = argv.filter((a) => a !== '--');
  const flags = ['--publish', '--interim', '--ignore-published'];
  const unknown = args.find((a) => !flags.includes(a));
  if (unknown !== undefined) {
    throw new MetaLoraError('CONFIG_INVALID', `pnpm study: unknown option ${JSON.stringify(unknown)}`, {
      value: unknown,
      fix: `pass any of ${flags.join(', ')} after \`pnpm study --\``,
    });
  }
  return {
    publish: args.includes('--publish'),
    interim: args.includes('--interim'),
    ignorePublished: args.includes('--ignore-published'),
  };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  try {
    const options = parseStudyArgs(process.argv.slice(2));
    await runStudy(loadExperiment(experimentName()), (line) => process.stdout.write(`${line}\n`), options);
  } catch (error) {
    if (!isMetaLoraError(error)) throw error;
    process.stderr.write(`meta-lora study: error [${error.code}]: ${error.message}\n`);
    process.exitCode = 2;
  }
}
