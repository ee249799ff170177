import { describe, expect, it } from 'vitest';
import { buildCorpus } from './corpus.ts';
import { CORPUS_SOURCES, type CorpusSource } from './corpus-sources.ts';

const udhr = CORPUS_SOURCES.filter((s) => s.name === 'udhr');

const repeated: CorpusSource = {
  name: 'repeated',
  package: 'test@0',
  read: () => [
    { source: 'repeated', key: 'a', language: 'en', paragraphs: ['One paragraph.', 'Two paragraph.'] },
    { source: 'repeated', key: 'b', language: 'en', paragraphs: ['Two paragraph.', 'Three paragraph.'] },
  ],
};

describe('buildCorpus', () => {
  it('drops every paragraph that contains an excluded string', () => {
    const full = buildCorpus({ sources: udhr });
    const victim = 'Everyone has the right to life, liberty and the security of person.';
    expect([...full.train, ...full.heldOut].some((d) => d.text.includes(victim))).toBe(true);
    const filtered = buildCorpus({ sources: udhr, excludeTexts: [victim] });
    expect([...filtered.train, ...filtered.heldOut].some((d) => d.text.includes(victim))).toBe(false);
    expect(filtered.stats.excludedParagraphs).toBeGreaterThan(0);
  });

  it('keeps the first copy of a repeated paragraph only', () => {
    const corpus = buildCorpus({ sources: [repeated], heldOutFraction: 0 });
    expect(corpus.train.map((d) => d.text)).toEqual(['One paragraph.\nTwo paragraph.', 'Three paragraph.']);
    expect(corpus.stats.duplicateParagraphs).toBe(1);
  });

  it('is deterministic and splits train and held-out disjointly', () => {
    const a = buildCorpus({ sources: udhr, heldOutFraction: 0.2, maxChars: 300 });
    const b = buildCorpus({ sources: udhr, heldOutFraction: 0.2, maxChars: 300 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.heldOut.length).toBeGreaterThan(0);
    const trainIds = new Set(a.train.map((d) => d.id));
    expect(a.heldOut.some((d) => trainIds.has(d.id))).toBe(false);
  });

  it('covers all ten languages of the multilingual suite', () => {
    const corpus = buildCorpus({ sources: udhr, heldOutFraction: 0 });
    expect(new Set(corpus.train.map((d) => d.language)).size).toBe(10);
  });
});
