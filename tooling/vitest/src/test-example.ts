/** Examples for tests, in the shape of data-sampling's `Example` (which this package cannot import). */

/** The fields that differ between the examples of a one-language test suite. */
export interface TestExampleFields<S extends string> {
  readonly exampleId: string;
  readonly taskId: string;
  readonly split: S;
  readonly input: string;
  readonly target: string;
  readonly choices?: string[];
}

/**
 * An example of a one-language test suite: its task is its own family, and its language is English.
 *
 * @example
 * testExample({ exampleId: 'a-1', taskId: 'a', split: 'train', input: 'Q:', target: ' A' }); // family 'a', language 'en'
 */
export function testExample<S extends string>(
  fields: TestExampleFields<S>,
): TestExampleFields<S> & { family: string; language: string } {
  return { ...fields, family: fields.taskId, language: 'en' };
}
