/**
 * What the pretraining corpus must not contain: every dev and test example of the task suites (`multitask` and
 * `multilingual`, from `@meta-lora/data-sampling`), as whole prompts and prompt + answer, plus each example's source
 * text (a review, a Brown-corpus sentence, a definition) when it is long enough to be distinctive. Short source texts
 * (single words, country names, numbers) are left out: dropping every paragraph with the word "France" would gut the
 * corpus and protects nothing, since the examples are the prompts.
 */
import { type HeldOutText, heldOutTexts } from '@meta-lora/data-sampling';

/** Source texts at least this long are excluded on their own. */
export const MIN_SOURCE_TEXT_CHARS = 32;

/**
 * The exclusion strings for `buildCorpus({ excludeTexts })`, deduplicated, in a stable order. `examples` defaults to
 * every dev/test example of the suites (`heldOutTexts()`, which takes seconds to build).
 *
 * @example
 * const corpus = buildCorpus({ excludeTexts: suiteExclusions() });
 */
export function suiteExclusions(examples: readonly HeldOutText[] = heldOutTexts()): string[] {
  const out = new Set<string>();
  for (const h of examples) {
    out.add(h.input);
    out.add(h.input + h.target);
    if (h.text.length >= MIN_SOURCE_TEXT_CHARS) out.add(h.text);
  }
  return [...out];
}
