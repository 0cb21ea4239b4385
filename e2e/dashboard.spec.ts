/// <reference lib="dom" />
// The risk dashboard end to end: real engine, real containers, the real UI served by `isolens serve`.
import { test, expect, openRoute, E2E_PREFIX, HOSTILE_LABEL } from './fixtures.js';
import { startContainer, testClient, removeTestContainers } from './harness/engine.js';
import { startEngineProxy } from './harness/socket-proxy.js';
import { startServe } from './harness/serve.js';

const row = (ui: import('@playwright/test').Page, name: string) => ui.locator(`[data-testid="container-row"][data-name="${name}"]`);

test.describe('containers', () => {
  test('the dashboard lists every running container, graded', async ({ ui, containers, shot }) => {
    await ui.getByTestId('nav-containers').click();
    for (const c of Object.values(containers)) await expect(row(ui, c.name)).toBeVisible();
    await expect(row(ui, containers.risky.name).getByTestId('grade')).toHaveText(/[DEF]/);
    await expect(row(ui, containers.hardened.name).getByTestId('grade')).toHaveText(/[AB]/);
    await shot('containers');
  });

  test('sorting by grade puts the riskiest first', async ({ ui, containers, shot }) => {
    await ui.getByTestId('nav-containers').click();
    await expect(row(ui, containers.risky.name)).toBeVisible();
    await ui.getByTestId('table-search').fill(E2E_PREFIX);
    const sort = ui.getByTestId('sort-grade');
    const names = () => ui.getByTestId('container-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
    // Whatever the initial order, one or two clicks reach "riskiest first"; the hardened one must then be last.
    for (let i = 0; i < 3 && (await names())[0] !== containers.risky.name; i++) await sort.click();
    const order = await names();
    expect(order[0]).toBe(containers.risky.name);
    expect(order.indexOf(containers.hardened.name)).toBe(order.length - 1);
    await shot('sorted');
  });

  test('search filters the table', async ({ ui, containers }) => {
    await ui.getByTestId('nav-containers').click();
    await ui.getByTestId('table-search').fill('e2e-hardened');
    await expect(row(ui, containers.hardened.name)).toBeVisible();
    await expect(ui.getByTestId('container-row')).toHaveCount(1);
  });

  test('the drill-down shows the right findings and namespaces', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/container/${containers.risky.id}/findings`);
    await expect(ui.getByTestId('detail-name')).toHaveText(containers.risky.name);
    const rules = await ui.getByTestId('finding').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
    expect(rules.join(' ')).toMatch(/pid/);
    expect(rules.join(' ')).toMatch(/sys-admin/);
    expect(rules.join(' ')).toMatch(/socket/);
    await expect(ui.getByTestId('fix-docker-run').first()).not.toBeEmpty();
    await shot('detail-findings');
    await ui.getByTestId('tab-namespaces').click();
    await expect(ui.locator('[data-testid="namespace-row"][data-namespace="pid"]')).toHaveAttribute('data-shared', 'true');
    await expect(ui.locator('[data-testid="namespace-row"][data-namespace="net"]')).toHaveAttribute('data-shared', 'false');
    await shot('detail-namespaces');
    await ui.getByTestId('tab-capabilities').click();
    await expect(ui.locator('[data-testid="capability-row"][data-capability="CAP_SYS_ADMIN"]')).toBeVisible();
    await ui.getByTestId('tab-mounts').click();
    await expect(ui.locator('[data-testid="mount-row"][data-destination="/var/run/docker.sock"]')).toBeVisible();
    await shot('detail-mounts');
  });

  test('the live charts gain points', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/container/${containers.ordinary.id}/resources`);
    const cpu = ui.getByTestId('live-chart-cpu');
    await expect(cpu).toBeVisible({ timeout: 15_000 });
    const before = Number(await cpu.getAttribute('data-points'));
    await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(before + 1);
    await shot('detail-resources');
  });

  test('text from a container is shown as text and runs nothing', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/container/${containers.hostile.id}/raw`);
    await expect(ui.getByTestId('labels')).toContainText(HOSTILE_LABEL);
    expect(await ui.locator('[data-testid="labels"] img').count()).toBe(0);
    expect(await ui.evaluate(() => (window as unknown as { __isolensPwned?: number }).__isolensPwned)).toBeUndefined();
    await shot('hostile-label');
  });
});

test.describe('live engine', () => {
  test('a container started during the test appears, and disappears when stopped', async ({ ui, containers }) => {
    void containers;
    await ui.getByTestId('nav-containers').click();
    const name = `${E2E_PREFIX}late-${Date.now()}`;
    const client = testClient();
    try {
      const started = Date.now();
      await startContainer(name, {}, client);
      await expect(row(ui, name)).toBeVisible({ timeout: 5000 });
      test.info().annotations.push({ type: 'appeared after', description: `${Date.now() - started} ms` });
      const stopping = Date.now();
      await client.getContainer(name).stop({ t: 0 });
      await expect(row(ui, name)).toHaveCount(0, { timeout: 5000 });
      test.info().annotations.push({ type: 'disappeared after', description: `${Date.now() - stopping} ms` });
    } finally {
      await client.getContainer(name).remove({ force: true }).catch(() => undefined);
    }
  });

  test('with the engine gone the banner appears, and the app recovers when it is back', async ({ page, containers }, testInfo) => {
    test.skip(testInfo.project.name === 'electron', 'the engine proxy is wired through `isolens serve --host`');
    void containers;
    const proxy = await startEngineProxy(`/tmp/isolens-e2e-engine-${process.pid}.sock`);
    const serve = await startServe(['--host', `unix://${proxy.path}`]);
    try {
      await page.goto(serve.url);
      await page.getByTestId('nav-containers').click();
      await expect(row(page, containers.ordinary.name)).toBeVisible();
      await proxy.stop();
      const banner = page.getByTestId('engine-banner');
      await expect(banner).toHaveAttribute('data-status', /unreachable|connecting/, { timeout: 10_000 });
      await expect(page.getByTestId('engine-cause')).toBeVisible({ timeout: 10_000 });
      await page.screenshot({ path: `e2e/screenshots/${testInfo.project.name}-engine-unreachable.png`, fullPage: true });
      await proxy.start();
      await page.getByTestId('retry-engine').click();
      await expect(banner).toHaveCount(0, { timeout: 15_000 });
      await expect(row(page, containers.ordinary.name)).toBeVisible();
    } finally {
      await serve.stop();
      await proxy.close();
    }
  });
});

test.afterAll(async () => {
  await removeTestContainers(testClient(), `${E2E_PREFIX}late-`);
});
