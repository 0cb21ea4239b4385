/// <reference lib="dom" />
// The engine banner names the endpoint the user chose (DOCKER_HOST, --host) when nothing answers there, never "default".
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe } from './harness/serve.js';

test('with DOCKER_HOST unreachable the banner names that endpoint', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'the endpoint is set through the environment of `isolens serve`');
  // A socket path in a fresh directory: nothing listens there, and nothing else can create it meanwhile.
  const dir = mkdtempSync(join(tmpdir(), 'isolens-e2e-nothing-'));
  const endpoint = `unix://${dir}/docker.sock`;
  const serve = await startServe([], { DOCKER_HOST: endpoint });
  try {
    await page.goto(serve.url);
    const banner = page.getByTestId('engine-banner');
    await expect(banner).toHaveAttribute('data-status', 'unreachable', { timeout: 15_000 });
    await expect(banner).toContainText(`at ${endpoint} for`);
    await expect(banner).not.toContainText('at default');
    await expect(page.getByTestId('engine-cause')).toContainText(`${dir}/docker.sock`);
    await page.screenshot({ path: `e2e/screenshots/${testInfo.project.name}-engine-unreachable-docker-host.png`, fullPage: true });
    // A retry that fails again still names it.
    await page.getByTestId('retry-engine').click();
    await expect(banner).toHaveAttribute('data-status', 'unreachable', { timeout: 15_000 });
    await expect(banner).toContainText(endpoint);
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
