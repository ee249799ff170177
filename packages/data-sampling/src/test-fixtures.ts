/** Small in-memory example sets for unit tests (not exported from the package). */
import { testExample } from '@meta-lora/vitest-config';
import type { Example, Split } from './example.ts';
import { exampleIdOf } from './normalize.ts';

/**
 * `perTask` examples for each task id, 60% train, 20% dev, 20% test.
 *
 * @example
 * const examples = fakeExamples(['a', 'b'], 20);
 */
export function fakeExamples(tasks: readonly string[], perTask: number): Example[] {
  return tasks.flatMap((taskId) =>
    Array.from({ length: perTask }, (_, i): Example => {
      const split: Split = i < perTask * 0.6 ? 'train' : i < perTask * 0.8 ? 'dev' : 'test';
      const input = `${taskId} question ${i}\nAnswer:`;
      const target = ` answer ${i}`;
      return testExample({ exampleId: exampleIdOf(taskId, input, target), taskId, split, input, target });
    }),
  );
}

/** A documented stand-in tokenizer for tests: whitespace-separated words. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
