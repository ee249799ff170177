/**
 * Names that come from data (task ids, languages) become file and directory names (a single-task adapter is
 * `adapters/baselines/single-task/<taskId>`). Data is untrusted, so such a name must be one plain path segment:
 * no separators, no `..`, no NUL, no drive letters, nothing a file system treats specially, and a bounded length.
 * Every writer that builds a path from such a name goes through `safeSegment`; the data edge refuses bad ids early
 * with `assertSafeName`, naming the row.
 */
import { type ErrorDetails, MetaLoraError, showValue } from './errors.ts';

/** Letters, digits, `.`, `_`, `-`; starting with a letter or digit; at most 128 characters. */
const SAFE_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,127}$/u;

/** The rule, as error messages state it. */
export const SAFE_NAME_RULE =
  'a name of 1–128 letters, digits, `.`, `_` or `-` that starts with a letter or digit (no `/`, `\\`, `..`, spaces or control characters)';

/**
 * Whether `name` is safe as one path segment.
 *
 * @example
 * isSafeName('country-capital'); // true
 * isSafeName('../../outside/x'); // false
 */
export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

/**
 * Throws DATA_INVALID (with `details`: the file, row and field) unless `name` is safe.
 *
 * @example
 * assertSafeName(row.task, 'task id', { path: 'data.jsonl', line: 7, field: 'task' });
 */
export function assertSafeName(name: string, what: string, details: ErrorDetails = {}): void {
  if (isSafeName(name)) return;
  throw new MetaLoraError(
    'DATA_INVALID',
    `${what} ${showValue(name.length > 80 ? `${name.slice(0, 80)}…` : name)} is not ${SAFE_NAME_RULE}`,
    {
      ...details,
      value: name.length > 200 ? `${name.slice(0, 200)}…` : name,
      fix: `rename the ${what} to ${SAFE_NAME_RULE}, e.g. ${showValue(suggestName(name))}`,
    },
  );
}

/**
 * `name` as a path segment, for writers: returned unchanged when safe, else DATA_INVALID (a name that got past the
 * data edge is still never joined into a path).
 *
 * @example
 * join(runDir, 'adapters', safeSegment(taskId, 'task id'));
 */
export function safeSegment(name: string, what: string): string {
  assertSafeName(name, what);
  return name;
}

/** A safe name close to `name`, for the fix text. */
function suggestName(name: string): string {
  const cleaned = name
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .slice(0, 128)
    .replace(/[-.]+$/, '');
  return cleaned === '' ? 'task-1' : cleaned;
}
