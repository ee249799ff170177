/**
 * Text keys for deduplication and near-duplicate detection, and length capping.
 */
import { sha256Hex } from '@meta-lora/artifacts';

/**
 * The near-duplicate key of a text: NFKC, lower case, punctuation and symbols removed, whitespace collapsed. Two
 * inputs with equal keys count as the same input (they may not sit in two splits).
 *
 * @example
 * normalizeText('  Hello,   WORLD! '); // 'hello world'
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * Cuts `text` to at most `maxChars` characters at a word boundary, marking the cut with `…`.
 *
 * @example
 * truncateText('one two three', 8); // 'one two…'
 */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = text.slice(0, maxChars - 1);
  const space = head.lastIndexOf(' ');
  return `${(space > maxChars / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}

/**
 * The id of an example: the first 16 hex digits of sha256(taskId, input, target).
 *
 * @example
 * exampleIdOf('plural', 'Singular: mouse\nPlural:', ' mice'); // '3f1c…' (16 hex digits)
 */
export function exampleIdOf(taskId: string, input: string, target: string): string {
  return sha256Hex(`${taskId}\0${input}\0${target}`).slice(0, 16);
}
