/**
 * A built-in task: where its data comes from, its prompt template, and the loader that turns the npm package's data
 * into raw examples. Suites are lists of these.
 */
import type { Language } from './languages.ts';
import type { RawExample } from './split.ts';

export interface LoadOptions {
  /** Inputs longer than this are truncated (long texts) or dropped (short-text tasks). */
  readonly maxInputChars: number;
}

export interface TaskSource {
  readonly taskId: string;
  readonly family: string;
  readonly language: string;
  readonly type: 'classification' | 'generation';
  /** The prompt template, for documentation and `data inspect`: `{x}` marks the filled-in text. */
  readonly template: string;
  /** The npm package the data comes from. */
  readonly dataPackage: string;
  readonly load: (options: LoadOptions) => RawExample[];
}

/** A raw example's own fields: what the task adds to them is its id, family and language. */
export type ExampleFields = Omit<RawExample, 'taskId' | 'family' | 'language'>;

/** A task source as written: its loader yields the examples' own fields, and `englishTask` / `languageTask` name it. */
export type TaskSpec = Omit<TaskSource, 'taskId' | 'family' | 'language' | 'load'> & {
  readonly load: (options: LoadOptions) => Iterable<ExampleFields>;
};

/**
 * An English task that is a family of its own: its task id is the family.
 *
 * @example
 * export const pluralTask = englishTask('plural', { type: 'generation', template, dataPackage, load });
 */
export function englishTask(family: string, spec: TaskSpec): TaskSource {
  return taskSource(family, family, 'en', spec);
}

/**
 * Language L's task of a family that spans languages: its task id is `family.L`.
 *
 * @example
 * languageTask('valence', 'de', { type: 'classification', template, dataPackage, load }).taskId; // 'valence.de'
 */
export function languageTask(family: string, language: Language, spec: TaskSpec): TaskSource {
  return taskSource(`${family}.${language}`, family, language, spec);
}

/** The task source of `spec`, whose examples carry its task id, family and language (named once, here). */
function taskSource(taskId: string, family: string, language: string, spec: TaskSpec): TaskSource {
  return {
    taskId,
    family,
    language,
    ...spec,
    load: (options) => [...spec.load(options)].map((fields) => ({ taskId, family, language, ...fields })),
  };
}

/**
 * Memoizes a zero-argument loader: several tasks share one parsed data package.
 *
 * @example
 * const words = once(() => parseWordnet());
 */
export function once<T>(load: () => T): () => T {
  let value: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      value = load();
      done = true;
    }
    return value as T;
  };
}
