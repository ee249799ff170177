/** Vitest setup file: registers the shared matchers. */
import { expect } from 'vitest';
import { type AllCloseOptions, compareAllClose } from './all-close.ts';

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
