import { defineConfig } from 'vitest/config';

// unit: pure code and parsers on captured fixtures, no engine. integration: a real engine through e2e/harness.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['app/**/*.test.ts', 'main/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['app/**/*.int.test.ts', 'e2e/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['e2e/harness/global-setup.ts'],
        },
      },
    ],
  },
});
