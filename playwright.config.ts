// e2e: the real UI served by `isolens serve`, driven in Debian's Chromium against a real engine.
import { defineConfig } from '@playwright/test';

const chromiumPath = process.env.ISOLENS_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: 'test-results',
  use: {
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
    trace: 'retain-on-failure',
  },
  // The same specs run in Chromium against `isolens serve` and, where Electron's binary exists, in the Electron app.
  projects: [{ name: 'chromium' }, { name: 'electron' }],
});
