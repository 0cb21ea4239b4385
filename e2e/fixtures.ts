// Playwright fixtures: real containers on the real engine, the real `isolens serve`, and the UI in Chromium (or Electron).
import { test as base, _electron, type Page } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { engineAnswers, removeTestContainers, startContainer, ensureTestImage, testClient, type StartedContainer } from './harness/engine.js';
import { startServe, type RunningServe } from './harness/serve.js';

export const E2E_PREFIX = 'isolens-e2e-';
export const HOSTILE_LABEL = '<img src=x onerror="window.__isolensPwned=1">';

/** The containers every spec can rely on, by role. */
export interface KnownContainers {
  hardened: StartedContainer;
  ordinary: StartedContainer;
  risky: StartedContainer;
  hostile: StartedContainer;
}

type WorkerFixtures = { containers: KnownContainers; serve: RunningServe };
type TestFixtures = { ui: Page; shot: (name: string) => Promise<void> };

/** Where Electron's binary would be; npm with ELECTRON_SKIP_BINARY_DOWNLOAD (or no install scripts) leaves it absent. */
export function electronBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = require.resolve('electron/package.json').replace(/package\.json$/, '');
    if (!existsSync(`${dir}path.txt`)) return null;
    const binary = `${dir}dist/${readFileSync(`${dir}path.txt`, 'utf8').trim()}`;
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  containers: [
    async ({}, use) => {
      const client = testClient();
      if (!(await engineAnswers(client))) {
        if (process.env.CI) throw new Error('e2e tests need a running Docker engine');
        base.skip(true, 'no Docker engine answers at /var/run/docker.sock');
      }
      await ensureTestImage(client);
      await removeTestContainers(client, E2E_PREFIX);
      const containers: KnownContainers = {
        hardened: await startContainer(`${E2E_PREFIX}hardened`, {
          User: '1000:1000',
          HostConfig: {
            CapDrop: ['ALL'],
            ReadonlyRootfs: true,
            SecurityOpt: ['no-new-privileges'],
            Memory: 64 * 1024 * 1024,
            NanoCpus: 500_000_000,
            PidsLimit: 64,
          },
        }),
        ordinary: await startContainer(`${E2E_PREFIX}ordinary`, {}),
        risky: await startContainer(`${E2E_PREFIX}risky`, {
          HostConfig: {
            PidMode: 'host',
            CapAdd: ['SYS_ADMIN'],
            SecurityOpt: ['seccomp=unconfined'],
            Binds: ['/var/run/docker.sock:/var/run/docker.sock'],
          },
        }),
        hostile: await startContainer(`${E2E_PREFIX}hostile`, { Labels: { note: HOSTILE_LABEL } }),
      };
      await use(containers);
      await removeTestContainers(client, E2E_PREFIX);
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  serve: [
    async ({ containers }, use) => {
      void containers;
      const serve = await startServe();
      await use(serve);
      await serve.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  ui: async ({ serve, page }, use, testInfo) => {
    if (testInfo.project.name === 'electron') {
      const binary = electronBinary();
      base.skip(!binary, 'Electron binary not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD); `npm start` fetches it on a desktop');
      const app = await _electron.launch({ executablePath: binary!, args: ['dist/main/main.js'] });
      const window = await app.firstWindow();
      await use(window);
      await app.close();
      return;
    }
    await page.goto(serve.url);
    await use(page);
  },
  shot: async ({ ui }, use, testInfo) => {
    mkdirSync('e2e/screenshots', { recursive: true });
    await use(async (name: string) => {
      await ui.screenshot({ path: `e2e/screenshots/${testInfo.project.name}-${name}.png`, fullPage: true });
    });
  },
});

export { expect } from '@playwright/test';

/**
 * Open a route of the app (`#/container/<id>/findings`). Hash routing works the same in a browser on `isolens serve`
 * and in Electron's file:// page, where there is no origin to build a URL from.
 */
export async function openRoute(ui: Page, hash: string): Promise<void> {
  await ui.evaluate((target) => {
    window.location.hash = target;
  }, hash.replace(/^#?/, '#'));
}
