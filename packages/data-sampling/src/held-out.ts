/**
 * The dev and test examples of both built-in suites, as texts: what any pretraining corpus must not contain, or the
 * suites' scores would measure memorization.
 */
import { parseDataConfig, type SplitConfig } from './config.ts';
import { buildSuiteWithSources, SUITE_NAMES, type SuiteName } from './suites.ts';

export interface HeldOutText {
  readonly suite: SuiteName;
  readonly taskId: string;
  readonly language: string;
  readonly split: 'dev' | 'test';
  /** The source text the prompt was made from (a review, a sentence, a word, a country name). */
  readonly text: string;
  /** The full prompt. */
  readonly input: string;
  /** The target, leading space included. */
  readonly target: string;
}

/**
 * Every dev and test example of the `multitask` and `multilingual` suites, built with `split` (default: the default
 * data config's sizes, which is what the suites use unless a run overrides them).
 *
 * @example
 * const banned = new Set(heldOutTexts().map((h) => h.text));
 */
export function heldOutTexts(split: SplitConfig = parseDataConfig({}).split): HeldOutText[] {
  const out: HeldOutText[] = [];
  for (const suite of SUITE_NAMES) {
    for (const { example, source } of buildSuiteWithSources(suite, { split })) {
      if (example.split === 'train') continue;
      out.push({
        suite,
        taskId: example.taskId,
        language: example.language,
        split: example.split,
        text: source.text,
        input: example.input,
        target: example.target,
      });
    }
  }
  return out;
}
