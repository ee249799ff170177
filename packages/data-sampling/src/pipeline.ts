/**
 * The data stage as two calls, for the CLI (`meta-lora data build`, `meta-lora data sample`) and the pipeline:
 * build writes the `tasks` artifact; sample reads it and writes `pool`, `episodes` and `usage`, each with lineage
 * (config hash, seed, parent artifact ids).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactToIPC,
  configHash,
  type Lineage,
  MetaLoraError,
  readArtifact,
  sha256Hex,
  writeArtifact,
  writeFileAtomic,
} from '@meta-lora/artifacts';
import { type DataConfig, DEFAULT_TASKS_PER_BATCH, dataSuite } from './config.ts';
import { EpisodesArtifact, sampleEpisodes } from './episodes.ts';
import { type Example, TasksArtifact } from './example.ts';
import { readPackageJson } from './package-dir.ts';
import { buildPools, PoolArtifact } from './pool.ts';
import { buildSuite, suiteTasks } from './suites.ts';
import { dataUsage, episodeExamples, UsageArtifact } from './usage.ts';
import { loadUserDatasets } from './user-dataset.ts';

const CREATED_BY = '@meta-lora/data-sampling';

/**
 * The examples the config selects: a built-in suite, or the user files in `paths`.
 *
 * @example
 * const examples = await buildTasks(parseDataConfig({ suite: 'multitask', tasks: ['sentiment'] }));
 */
export async function buildTasks(config: DataConfig): Promise<Example[]> {
  const suite = dataSuite(config);
  if (suite === 'user') return loadUserDatasets(config.paths, { split: config.split, tasks: config.tasks });
  return buildSuite(suite, { tasks: config.tasks, languages: config.languages, split: config.split });
}

/**
 * What the `tasks` artifact depends on: the selection, the split sizes, and the data itself (npm data package
 * versions for built-in suites, file content hashes for user files).
 *
 * @example
 * buildConfigHash(parseDataConfig({})); // 64 hex digits
 */
export function buildConfigHash(config: DataConfig): string {
  const suite = dataSuite(config);
  const data =
    suite === 'user'
      ? config.paths.map((path) => ({ path, sha256: sha256Hex(readFileSync(path)) }))
      : Object.fromEntries(
          [...new Set(suiteTasks(suite).map((t) => t.dataPackage))]
            .sort()
            .map((name) => [name, readPackageJson<{ version: string }>(name, 'package.json').version]),
        );
  const { tasks, languages, split, promptFormat } = config;
  return configHash({ suite, tasks, languages, split, data, promptFormat });
}

/**
 * `meta-lora data build`: builds the selected tasks and writes them to `outPath` as a `tasks` artifact.
 *
 * @example
 * const lineage = await runDataBuild(config, 'runs/x/tasks.arrow');
 */
export async function runDataBuild(
  config: DataConfig,
  outPath: string,
  options: { readonly chatPrompt?: (prompt: string) => string } = {},
): Promise<Lineage> {
  let examples = await buildTasks(config);
  if (config.promptFormat === 'chat') {
    const { chatPrompt } = options;
    if (!chatPrompt) {
      throw new MetaLoraError('CONFIG_INVALID', 'promptFormat is "chat" but the base model has no chat template', {
        field: 'promptFormat',
        value: config.promptFormat,
        fix: 'set promptFormat to "plain", or use a base model whose tokenizer_config.json has a chat_template',
      });
    }
    // The example ids stay those of the plain prompts: formatting does not change which example it is.
    examples = examples.map((e) => ({ ...e, input: chatPrompt(e.input) }));
  }
  return writeArtifact(outPath, TasksArtifact, examples, {
    configHash: buildConfigHash(config),
    seed: null,
    parents: [],
    createdBy: `${CREATED_BY} runDataBuild`,
  });
}

/** The artifacts `runDataSample` wrote. */
export interface SampleResult {
  readonly pool: Lineage;
  readonly episodes: Lineage;
  readonly usage: Lineage;
  /** Defaults fitted to the data, one line each (e.g. tasksPerBatch lowered to the number of tasks). */
  readonly notes: string[];
}

/**
 * `meta-lora data sample`: reads a `tasks` artifact, draws the k-shot pools and the episodes, and writes
 * `pool.arrow`, `episodes.arrow` and `usage.arrow` (data used per task by `meta-lora`, `few-shot` and `full-data`)
 * into `outDir`. `countTokens` is the base model's tokenizer (lora-core).
 *
 * @example
 * runDataSample(config, 'runs/x/tasks.arrow', 'runs/x', (text) => tokenizer.encode(text).length);
 */
export function runDataSample(
  config: DataConfig,
  tasksPath: string,
  outDir: string,
  countTokens: (text: string) => number,
): SampleResult {
  const tasks = readArtifact(tasksPath, TasksArtifact);
  const wanted = config.tasks.length > 0 ? new Set(config.tasks) : undefined;
  const examples = wanted ? tasks.rows.filter((e) => wanted.has(e.taskId)) : tasks.rows;
  const hash = configHash({
    k: config.k,
    seed: config.seed,
    tasks: config.tasks,
    episodes: config.episodes,
    capK: config.capK,
  });
  const pool = buildPools(examples, { k: config.k, seed: config.seed, capK: config.capK });
  // All three are encoded before any is written: a refusal (say, tasksPerBatch above the number of tasks) leaves the
  // earlier pool, episodes and usage of outDir as they were.
  const { bytes: poolBytes, lineage: poolLineage } = artifactToIPC(PoolArtifact, pool, {
    configHash: hash,
    seed: config.seed,
    parents: [tasks.lineage.artifactId],
    createdBy: `${CREATED_BY} buildPools`,
  });
  const notes: string[] = [];
  const taskCount = new Set(pool.map((p) => p.taskId)).size;
  let tasksPerBatch = config.episodes.tasksPerBatch;
  if (tasksPerBatch === undefined) {
    tasksPerBatch = Math.min(DEFAULT_TASKS_PER_BATCH, taskCount);
    if (tasksPerBatch < DEFAULT_TASKS_PER_BATCH) {
      notes.push(
        `episodes.tasksPerBatch: ${tasksPerBatch} (the data has ${taskCount} tasks; the default is ${DEFAULT_TASKS_PER_BATCH})`,
      );
    }
  }
  const episodes = sampleEpisodes(pool, { ...config.episodes, tasksPerBatch }, config.seed);
  const { bytes: episodesBytes, lineage: episodesLineage } = artifactToIPC(EpisodesArtifact, episodes, {
    configHash: hash,
    seed: config.seed,
    parents: [poolLineage.artifactId],
    createdBy: `${CREATED_BY} sampleEpisodes`,
  });
  const usage = [
    ...dataUsage('meta-lora', episodeExamples(episodes, pool), countTokens),
    ...dataUsage('few-shot', pool, countTokens),
    ...dataUsage(
      'full-data',
      examples.filter((e) => e.split === 'train'),
      countTokens,
    ),
  ];
  const { bytes: usageBytes, lineage: usageLineage } = artifactToIPC(UsageArtifact, usage, {
    configHash: hash,
    seed: config.seed,
    parents: [tasks.lineage.artifactId, poolLineage.artifactId, episodesLineage.artifactId],
    createdBy: `${CREATED_BY} dataUsage`,
  });
  writeFileAtomic(join(outDir, 'pool.arrow'), poolBytes);
  writeFileAtomic(join(outDir, 'episodes.arrow'), episodesBytes);
  writeFileAtomic(join(outDir, 'usage.arrow'), usageBytes);
  return { pool: poolLineage, episodes: episodesLineage, usage: usageLineage, notes };
}
