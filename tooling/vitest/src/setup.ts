/** Vitest setup file: registers the shared matchers, and removes the test file's `tempDir`s after its tests. */
import { afterAll, expect } from 'vitest';
import { type AllCloseOptions, compareAllClose } from './all-close.ts';
import { removeTempDirs } from './temp-dir.ts';

afterAll(removeTempDirs);

expect.extend({
  toBeAllClose(received: unknown, expected: unknown, options?: AllCloseOptions) {
    const report = compareAllClose(received as never, expected as never, options);
    return { pass: report.pass, message: () => report.message };
  },
});

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must match vitest's own declaration of Matchers.
  interface Matchers<T = any> {
    /** Elementwise closeness for tensors, typed arrays or numbers; prints max abs diff and first mismatches. */
    toBeAllClose(expected: unknown, options?: AllCloseOptions): T;
  }
}
