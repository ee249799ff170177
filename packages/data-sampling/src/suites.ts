/**
 * The built-in suites. `multitask`: eleven English tasks (six classification, five generation). `multilingual`: four
 * task families × the ten `MULTILINGUAL_LANGUAGES`, each family with one label/target space across languages.
 */
import { MetaLoraError } from '@meta-lora/artifacts';
import type { SplitConfig } from './config.ts';
import type { Example } from './example.ts';
import { type Language, MULTILINGUAL_LANGUAGES } from './languages.ts';
import { wordValenceTask } from './sources/afinn.ts';
import { brownGenreTask, posTagTask } from './sources/brown.ts';
import { syllablesTask } from './sources/cmudict.ts';
import { countryCapitalTask, countryContinentTask } from './sources/countries.ts';
import { sentimentTask } from './sources/imdb.ts';
import { numberValueTask, numberWordsInTask, numberWordsTask } from './sources/numbers.ts';
import { pluralTask } from './sources/plurals.ts';
import { spamTask } from './sources/spam.ts';
import { valenceTask } from './sources/valence.ts';
import { antonymTask, definitionTask } from './sources/wordnet.ts';
import { assignSplitsWithSources, type RawExample, thinPerTask } from './split.ts';
import type { TaskSource } from './task-source.ts';

export const SUITE_NAMES = ['multitask', 'multilingual'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

const MULTITASK: readonly TaskSource[] = [
  sentimentTask,
  spamTask,
  wordValenceTask,
  brownGenreTask,
  posTagTask,
  syllablesTask,
  pluralTask,
  antonymTask,
  definitionTask,
  numberWordsTask,
  countryCapitalTask,
];

const MULTILINGUAL_FAMILIES: readonly ((language: Language) => TaskSource)[] = [
  valenceTask,
  countryContinentTask,
  numberValueTask,
  numberWordsInTask,
];

const MULTILINGUAL: readonly TaskSource[] = MULTILINGUAL_FAMILIES.flatMap((family) =>
  MULTILINGUAL_LANGUAGES.map((language) => family(language)),
);

/**
 * The tasks of a suite, without loading any data.
 *
 * @example
 * suiteTasks('multilingual').map((t) => t.taskId); // ['valence.en', 'valence.fr', …]
 */
export function suiteTasks(suite: SuiteName): readonly TaskSource[] {
  return suite === 'multitask' ? MULTITASK : MULTILINGUAL;
}

export interface BuildSuiteOptions {
  /** Keep only these task ids (empty or absent: all). */
  readonly tasks?: readonly string[];
  /** Multilingual suite: keep only these languages (empty or absent: all). */
  readonly languages?: readonly Language[];
  readonly split: SplitConfig;
}

/**
 * Loads a built-in suite from its npm data packages and splits it. Deterministic: no seed, no clock, no network.
 *
 * @example
 * const examples = buildSuite('multitask', { split: parseDataConfig({}).split });
 */
export function buildSuite(suite: SuiteName, options: BuildSuiteOptions): Example[] {
  return buildSuiteWithSources(suite, options).map(({ example }) => example);
}

/** `buildSuite`, keeping each example's raw source text. */
export function buildSuiteWithSources(
  suite: SuiteName,
  options: BuildSuiteOptions,
): { example: Example; source: RawExample }[] {
  const all = suiteTasks(suite);
  const wanted = options.tasks ?? [];
  for (const id of wanted) {
    if (!all.some((t) => t.taskId === id)) {
      throw new MetaLoraError('CONFIG_INVALID', `suite \`${suite}\` has no task \`${id}\``, {
        field: 'tasks',
        value: id,
        fix: `use task ids of the suite: ${all.map((t) => t.taskId).join(', ')}`,
      });
    }
  }
  const languages = options.languages ?? [];
  const chosen = all.filter(
    (t) =>
      (wanted.length === 0 || wanted.includes(t.taskId)) &&
      (languages.length === 0 || languages.includes(t.language as Language)),
  );
  const raw: RawExample[] = chosen.flatMap((t) => t.load({ maxInputChars: options.split.maxInputChars }));
  // Enough candidates for every split and the full-train budget, with room for deduplication.
  const limit = 4 * (options.split.testSize + options.split.devSize + options.split.maxFullTrain);
  const examples = assignSplitsWithSources(thinPerTask(raw, limit), options.split);
  for (const t of chosen) {
    if (!examples.some(({ example: e }) => e.taskId === t.taskId && e.split === 'train')) {
      throw new MetaLoraError('EMPTY_TASK', `built-in task \`${t.taskId}\` has no train examples`, {
        field: t.taskId,
        fix: `check that ${t.dataPackage} is installed intact (\`pnpm install\`) and split.maxInputChars is not tiny`,
      });
    }
  }
  return examples;
}
