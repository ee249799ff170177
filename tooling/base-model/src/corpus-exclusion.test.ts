import { type HeldOutText, heldOutTexts } from '@meta-lora/data-sampling';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus, CORPORA, type Corpus } from './corpus.ts';
import { MIN_SOURCE_TEXT_CHARS, suiteExclusions } from './suite-exclusions.ts';

/**
 * Every string of `patterns` found verbatim in the corpus, by a scan that shares nothing with `ExclusionMatcher`:
 * patterns are indexed by their first `k` characters and every position of every chunk is looked up.
 */
function verbatimHits(corpus: Corpus, patterns: readonly string[]): string[] {
  const k = Math.min(...patterns.map((p) => p.length));
  const byPrefix = new Map<string, string[]>();
  for (const p of patterns) byPrefix.set(p.slice(0, k), [...(byPrefix.get(p.slice(0, k)) ?? []), p]);
  const hits = new Set<string>();
  for (const doc of [...corpus.train, ...corpus.heldOut]) {
    for (let i = 0; i + k <= doc.text.length; i++) {
      for (const p of byPrefix.get(doc.text.slice(i, i + k)) ?? []) if (doc.text.startsWith(p, i)) hits.add(p);
    }
  }
  return [...hits];
}

// The v2 corpus holds every v1 chunk (same sources first, same chunking), so checking v2 checks both. It needs the
// Debian packages of src/debian-package.ts (.ci/run installs them); without them buildCorpus throws, and the tests
// fail with the apt-get line. The full corpus and both suites take about a minute to build; they are built once.
let examples: HeldOutText[];
let pretraining: Corpus;

beforeAll(() => {
  examples = heldOutTexts();
  pretraining = buildCorpus({ corpus: 'v2', excludeTexts: suiteExclusions(examples) });
}, 600_000);

describe('the pretraining corpus and the task suites', () => {
  it('holds no dev/test example of either suite verbatim (prompt, or prompt and answer)', { timeout: 600_000 }, () => {
    expect(new Set(examples.map((h) => h.suite))).toEqual(new Set(['multitask', 'multilingual']));
    expect(new Set(examples.map((h) => h.split))).toEqual(new Set(['dev', 'test']));
    expect(pretraining.train.length).toBeGreaterThan(60_000);
    expect(Object.keys(pretraining.stats.sources)).toEqual(CORPORA.v2.map((s) => s.name));
    expect(
      verbatimHits(
        pretraining,
        examples.flatMap((h) => [h.input, h.input + h.target]),
      ),
    ).toEqual([]);
  });

  it('drops the long source texts of the examples, which the unfiltered corpus does hold', { timeout: 600_000 }, () => {
    const sources = [...new Set(examples.flatMap((h) => (h.text.length >= MIN_SOURCE_TEXT_CHARS ? [h.text] : [])))];
    expect(verbatimHits(buildCorpus({ corpus: 'v2' }), sources).length).toBeGreaterThan(0);
    expect(verbatimHits(pretraining, sources)).toEqual([]);
  });
});
