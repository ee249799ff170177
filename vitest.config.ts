import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run the packages from source: `@meta-lora/source` picks each package's src/index.ts over its dist/. Setting
  // the list replaces Vite's default server conditions, so they follow it.
  ssr: { resolve: { conditions: ['@meta-lora/source', 'module', 'node', 'development|production'] } },
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
