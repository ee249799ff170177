import { describe, expect, it } from 'vitest';
import { exactMatch, normalizeAnswer } from './normalize-answer.ts';

describe('normalizeAnswer', () => {
  it('applies NFKC: full-width letters and the fi ligature fold to ASCII', () => {
    expect(normalizeAnswer('Ｐａｒｉｓ')).toBe('paris');
    expect(normalizeAnswer('ﬁve')).toBe('five');
  });

  it('case-folds, trims and collapses inner whitespace', () => {
    expect(normalizeAnswer('  New \t\n  YORK  ')).toBe('new york');
  });

  it('strips punctuation and symbols at the ends only', () => {
    expect(normalizeAnswer('"forty-two!"')).toBe('forty-two');
    expect(normalizeAnswer('¿Qué?')).toBe('qué');
    expect(normalizeAnswer('(a, b)')).toBe('a, b');
  });

  it('keeps an answer made only of punctuation distinguishable from a word', () => {
    expect(normalizeAnswer('...')).toBe('');
    expect(exactMatch('...', 'yes')).toBe(false);
  });
});

describe('exactMatch', () => {
  it('matches a generated answer with a leading space and a period against its target', () => {
    expect(exactMatch(' Canberra.', ' canberra')).toBe(true);
  });

  it('does not match different words', () => {
    expect(exactMatch(' cats', ' cat')).toBe(false);
  });
});
