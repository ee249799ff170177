/**
 * Exact-match normalisation for short generated answers, in the spirit of SQuAD's `normalize_answer` but
 * language-neutral (no English article stripping):
 *
 *   1. Unicode NFKC (full-width digits and letters, ligatures, compatibility forms fold to their plain form);
 *   2. case-fold (`toLowerCase` after NFKC; Unicode-aware, locale-independent);
 *   3. collapse every run of whitespace (Unicode `\s`) to one space and trim both ends;
 *   4. strip punctuation and symbols (Unicode `P` and `S` categories) from both ends, then trim again.
 *
 * Inner punctuation is kept: `"New-York"` and `"New York"` stay different answers.
 */

const EDGE_PUNCT = /^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu;

/**
 * The normalised form of an answer.
 *
 * @example
 * normalizeAnswer('  Ｐａｒｉｓ. '); // 'paris'
 */
export function normalizeAnswer(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim().replace(EDGE_PUNCT, '');
}

/**
 * True when prediction and reference are equal after `normalizeAnswer`.
 *
 * @example
 * exactMatch(' Forty-two!', 'forty-two'); // true
 */
export function exactMatch(prediction: string, reference: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(reference);
}
