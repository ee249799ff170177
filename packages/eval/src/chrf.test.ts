// Expected values are sacreBLEU's own test cases (mjpost/sacrebleu test/test_chrf.py, 2.x), to 1e-4.
import { describe, expect, it } from 'vitest';
import { corpusChrf, sentenceChrf } from './chrf.ts';

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-4);

describe('chrF against sacreBLEU test_chrf.py', () => {
  const beta3eps = { beta: 3, epsSmoothing: true } as const;
  it.each([
    [['abcdefg'], ['hijklmnop'], 0],
    [['a'], ['b'], 0],
    [[''], ['reference'], 0],
    [['aa'], ['ab'], 8.3333],
    [['a', 'b'], ['a', 'c'], 8.3333],
    [['a'], ['a'], 16.6667],
    [['a b c'], ['a b c'], 50],
    [['a b c'], ['abc'], 50],
    [
      [
        ' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .',
      ],
      [
        'risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .',
      ],
      63.36173,
    ],
    [
      [' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
      ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
      64.1302698,
    ],
    [['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'], 100],
  ])('eps smoothing, beta 3: %j vs %j = %d', (hyp, ref, expected) => {
    close(corpusChrf(hyp, ref, beta3eps), expected);
  });

  it.each([
    [['a'], ['a'], 100],
    [[''], ['reference'], 0],
    [['a b c'], ['abc'], 100],
    [['a', 'b'], ['a', 'c'], 50],
    [['aa'], ['ab'], 25],
  ])('effective order, beta 3: %j vs %j = %d', (hyp, ref, expected) => {
    close(corpusChrf(hyp, ref, { beta: 3 }), expected);
  });

  it('keeps whitespace when asked', () => {
    close(
      corpusChrf(
        ['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'],
        ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
        { beta: 3, keepWhitespace: true },
      ),
      67.3481606,
    );
  });

  it.each([
    [
      'Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.',
      'Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.',
      39.14078509,
    ],
    [
      'Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.',
      'Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.',
      57.15704367,
    ],
  ])('sentence level, default beta 2 with eps smoothing: %s', (hyp, ref, expected) => {
    close(sentenceChrf(hyp, ref, { epsSmoothing: true }), expected);
  });
});

describe('chrF defaults (beta 2, effective order)', () => {
  it('scores "aa" against "ab" by hand: P = R = 1/4 over 2 effective orders, so F = 25', () => {
    // order 1: hyp {a:2}, ref {a,b}, 1 match: P = R = 1/2; order 2: {aa} vs {ab}, 0 matches.
    close(sentenceChrf('aa', 'ab'), 25);
  });

  it('weights recall: covering the whole reference (R = 1) beats matching only part of it (P = 1)', () => {
    // "abcd" vs "ab": R = 1, P < 1; "ab" vs "abcd": P = 1, R < 1; beta 2 weighs recall 4x.
    expect(sentenceChrf('abcd', 'ab')).toBeGreaterThan(sentenceChrf('ab', 'abcd'));
  });

  it('refuses unequal hypothesis and reference counts', () => {
    expect(() => corpusChrf(['a'], [])).toThrow(/1 hypotheses but 0 references/);
  });
});
