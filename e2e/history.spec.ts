// e2e: the History tab on a real drift (a container recreated under its name with weaker isolation), and the in-app
// notice when a risky container starts, in the real UI served by `isolens serve` on a real engine.
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { removeTestContainers, startContainer, testClient } from './harness/engine.js';
import { startServe, type RunningServe } from './harness/serve.js';

const PREFIX = 'isolens-e2e-history-';
const client = testClient();
let serve: RunningServe;

test.beforeAll(async ({}, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'runs against isolens serve in Chromium');
  await removeTestContainers(client, PREFIX);
  mkdirSync('e2e/screenshots', { recursive: true });
  serve = await startServe();
});
test.afterAll(async () => {
  await serve?.stop();
  await removeTestContainers(client, PREFIX);
});

test('a weaker recreation shows as drift: the mark, the History tab, the change in the compare table', async ({ page }) => {
  const name = `${PREFIX}web`;
  await startContainer(name, { User: '1000:1000', HostConfig: { CapDrop: ['ALL'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'] } });
  await page.goto(serve.url);
  await expect(page.getByText(name).first()).toBeVisible();
  await page.waitForTimeout(1500); // let serve record the first version
  await client.getContainer(name).remove({ force: true });
  const weaker = await startContainer(name, { HostConfig: { CapAdd: ['SYS_ADMIN'], PidMode: 'host' } });

  const notice = page.getByTestId('notice').filter({ hasText: `${name} got weaker` });
  await expect(notice).toBeVisible({ timeout: 20_000 });
  await page.goto(`${serve.origin}/#/containers`);
  await expect(page.getByTestId('drift-mark').first()).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: 'e2e/screenshots/history-drift-mark.png' });
  await page.goto(`${serve.origin}/#/`);
  await expect(page.getByTestId('riskiest-container').filter({ hasText: name }).getByTestId('drift-mark')).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/history-overview-drift.png' });

  await page.goto(`${serve.origin}/#/container/${weaker.id}/history`);
  await expect(page.getByTestId('history-version')).toHaveCount(2);
  await expect(page.getByTestId('history-drift')).toBeVisible();
  await expect(page.getByTestId('history-gained')).toContainText('capabilities/sys-admin');
  const diff = page.getByTestId('history-diff');
  await expect(diff).toContainText('capabilities.effective');
  // The gained capability, in the row that says what it is.
  await expect(diff.getByRole('row', { name: /Capabilities beyond the engine's default/ })).toContainText('CAP_SYS_ADMIN');
  await page.screenshot({ path: 'e2e/screenshots/history-tab.png', fullPage: true });
});

test('a risky container that starts is an in-app notice that opens it', async ({ page }) => {
  await page.goto(serve.url);
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'connected');
  const risky = await startContainer(`${PREFIX}risky`, { HostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } });
  const notice = page.getByTestId('notice').filter({ hasText: `${PREFIX}risky started with` });
  await expect(notice).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: 'e2e/screenshots/history-notice.png' });
  await notice.getByTestId('notice-open').click();
  await expect(page).toHaveURL(new RegExp(`#/container/${risky.id}/`));

  // Muting from the notice persists in serve's settings, and the notice goes away.
  await notice.getByTestId('notice-mute-container').click();
  await expect(notice).toHaveCount(0);
  const settings = await page.evaluate(async () => {
    const response = await fetch('/api/getNotificationSettings', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ args: [] }) });
    return ((await response.json()) as { result: { mutedContainers: string[] } }).result;
  });
  expect(settings.mutedContainers).toContain(`${PREFIX}risky`);
});
