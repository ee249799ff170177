/**
 * Prompt text for the in-context condition. Examples follow data-sampling's convention — prompts end without a
 * trailing space and targets start with one — so a demonstration is `input + target`, demonstrations are separated by
 * a blank line, and the test prompt follows the last one:
 *
 *   <input₁><target₁>\n\n<input₂><target₂>\n\n…<test input>
 */

/** One support example shown in the prompt. */
export interface Demonstration {
  readonly input: string;
  readonly target: string;
}

/** Separator after each demonstration. */
export const DEMONSTRATION_SEPARATOR = '\n\n';

/**
 * The prefix that precedes a test prompt in the in-context condition ('' for none).
 *
 * @example
 * inContextPrefix([{ input: 'Q: 2+2\nA:', target: ' 4' }]); // 'Q: 2+2\nA: 4\n\n'
 */
export function inContextPrefix(demonstrations: readonly Demonstration[]): string {
  return demonstrations.map((d) => `${d.input}${d.target}${DEMONSTRATION_SEPARATOR}`).join('');
}
