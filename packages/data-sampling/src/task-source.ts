/**
 * A built-in task: where its data comes from, its prompt template, and the loader that turns the npm package's data
 * into raw examples. Suites are lists of these.
 */
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

/** A raw example's own fields: what `taskSource` adds to them is the source's task id, family and language. */
export type ExampleFields = Omit<RawExample, 'taskId' | 'family' | 'language'>;

/** A task source as written: its loader returns the examples' own fields. */
export type TaskSpec = Omit<TaskSource, 'load'> & { readonly load: (options: LoadOptions) => ExampleFields[] };

/**
 * The task source of `spec`, whose examples carry its task id, family and language (named once, here).
 *
 * @example
 * export const pluralTask = taskSource({ taskId: 'plural', family: 'plural', language: 'en', …, load });
 */
export function taskSource(spec: TaskSpec): TaskSource {
  const { taskId, family, language } = spec;
  return { ...spec, load: (options) => spec.load(options).map((fields) => ({ taskId, family, language, ...fields })) };
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
