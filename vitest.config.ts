import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'test/*/src/**/*.test.ts',
      'pipelines/src/**/*.test.ts',
      'tooling/*/src/**/*.test.ts',
    ],
    setupFiles: ['./tooling/vitest/src/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
