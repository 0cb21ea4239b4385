/// <reference lib="dom" />
// The review flow end to end on real containers: the overview's groups and counts open the filtered table, risk is searchable, the filter lives in the URL.
import { test, expect, openRoute, E2E_PREFIX } from './fixtures.js';

const row = (ui: import('@playwright/test').Page, name: string) => ui.locator(`[data-testid="container-row"][data-name="${name}"]`);
const names = (ui: import('@playwright/test').Page) => ui.getByTestId('container-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')).sort());

test.describe('overview', () => {
  test('findings are grouped by rule, worst first, and each count opens the table filtered to those containers', async ({ ui, containers, shot }) => {
    await openRoute(ui, '#/');
    const groups = ui.getByTestId('rule-group');
    await expect(groups.first()).toBeVisible();
    // Grouped: one row per rule, never the same rule twice.
    const rules = await groups.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule')));
    expect(new Set(rules).size).toBe(rules.length);
    // The risky container's escape routes reach the first screen, not only its capabilities.
    expect(rules).toEqual(expect.arrayContaining(['capabilities/sys-admin', 'mounts/engine-socket']));
    const pid = groups.and(ui.locator('[data-rule="namespaces/host-pid"]'));
    await expect(pid).toBeVisible();
    await shot('overview');

    await pid.getByTestId('rule-group-link').click();
    await expect(ui).toHaveURL(/#\/containers\?rule=namespaces%2Fhost-pid$/);
    await expect(ui.getByTestId('filter-chip-rule')).toContainText('namespaces/host-pid');
    expect(await names(ui)).toEqual([containers.risky.name]);

    // Back returns to the overview; the severity summary opens the same question the table answers.
    await ui.goBack();
    const critical = ui.getByTestId('summary-critical');
    const count = Number(await critical.getAttribute('data-count'));
    expect(count).toBeGreaterThan(0);
    await critical.click();
    await expect(ui).toHaveURL(/severity=critical/);
    await expect(ui.getByTestId('container-row')).toHaveCount(count);
    await expect(row(ui, containers.risky.name)).toBeVisible();
  });

  test('the namespace counts, the grade counts and the top bar\'s alert are links to the filtered table', async ({ ui, containers }) => {
    await openRoute(ui, '#/');
    await ui.locator('[data-testid="namespace-sharing"] tr[data-namespace="pid"]').getByTestId('namespace-link').click();
    await expect(ui).toHaveURL(/namespace=pid/);
    expect(await names(ui)).toEqual([containers.risky.name]);

    await openRoute(ui, '#/');
    await ui.getByTestId('grade-link-A').click();
    await expect(ui).toHaveURL(/grade=A/);
    await expect(row(ui, containers.hardened.name)).toBeVisible();
    await expect(row(ui, containers.risky.name)).toHaveCount(0);

    await ui.getByTestId('topbar-alert').click();
    await expect(ui).toHaveURL(/grade=E-F/);
    await expect(row(ui, containers.risky.name)).toBeVisible();
    await expect(row(ui, containers.hardened.name)).toHaveCount(0);
  });
});

test.describe('search and filters', () => {
  test('search finds containers by capability, rule, mount path and image, every word counting', async ({ ui, containers, shot }) => {
    await openRoute(ui, '#/containers');
    const search = ui.getByTestId('table-search');
    await expect(row(ui, containers.risky.name)).toBeVisible();
    for (const term of ['SYS_ADMIN', 'cap_sys_admin', 'mounts/engine-socket', 'host-pid', '/var/run/docker.sock']) {
      await search.fill(`${E2E_PREFIX} ${term}`);
      await expect.poll(() => names(ui), { message: term }).toEqual([containers.risky.name]);
    }
    await search.fill(`${E2E_PREFIX} isolens-test/busybox`);
    await expect.poll(() => names(ui)).toEqual(Object.values(containers).map((c) => c.name).sort());
    await search.fill(`${E2E_PREFIX} SYS_ADMIN`);
    await expect(ui).toHaveURL(/q=isolens-e2e-\+SYS_ADMIN/);
    await shot('search-capability');
  });

  test('the filter is in the URL: a reload or a shared link opens the same rows', async ({ ui, containers }) => {
    await openRoute(ui, `#/containers?q=${E2E_PREFIX}&severity=critical`);
    await expect.poll(() => names(ui)).toEqual([containers.risky.name]);
    await ui.reload();
    await expect.poll(() => names(ui)).toEqual([containers.risky.name]);
    await expect(ui.getByTestId('filter-findings')).toHaveValue('critical');
    // Changing a filter in the table writes it back.
    await ui.getByTestId('filter-findings').selectOption('');
    await ui.getByTestId('filter-flags').selectOption('engine-socket');
    await expect(ui).toHaveURL(/flag=engine-socket/);
    await expect(ui).not.toHaveURL(/severity=/);
    await ui.getByTestId('clear-filters').click();
    await expect(ui).toHaveURL(/#\/containers$/);
    await expect(row(ui, containers.hardened.name)).toBeVisible();
  });

  test('risk flags show the worst two, worst first, and say the rest', async ({ ui, containers }) => {
    await openRoute(ui, `#/containers?q=${E2E_PREFIX}`);
    const flags = row(ui, containers.risky.name).locator('[data-flag]');
    await expect(flags).toHaveCount(2);
    const severities = await flags.evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')));
    expect(severities).toEqual(['critical', 'critical']);
    await expect(row(ui, containers.risky.name).getByTestId('flags-more')).toContainText(/\+\d/);
    // The ordinary container's hygiene flags are quiet ones.
    const ordinary = await row(ui, containers.ordinary.name).locator('[data-flag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')));
    expect(ordinary.every((s) => s === 'medium' || s === 'low')).toBe(true);
  });
});

test.describe('small things a user meets at once', () => {
  test('no request of a page load fails (favicon included), and with the engine gone the lab says why instead of "loading…"', async ({ page, containers }, testInfo) => {
    test.skip(testInfo.project.name === 'electron', 'the engine proxy is wired through `isolens serve --host`');
    void containers;
    const { startEngineProxy } = await import('./harness/socket-proxy.js');
    const { startServe } = await import('./harness/serve.js');
    const proxy = await startEngineProxy(`/tmp/isolens-e2e-lab-engine-${process.pid}.sock`);
    const serve = await startServe(['--host', `unix://${proxy.path}`]);
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    try {
      await page.goto(serve.url);
      await expect(page.getByTestId('nav-containers')).toContainText(/\(\d+\)/);
      await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', './favicon.svg');
      const icon = await page.request.get(new URL('favicon.svg', serve.url).href);
      expect(icon.status()).toBe(200);
      expect(icon.headers()['content-type']).toBe('image/svg+xml');
      expect(failed).toEqual([]);

      await proxy.stop();
      await expect(page.getByTestId('engine-banner')).toBeVisible({ timeout: 10_000 });
      await page.getByTestId('nav-lab').click();
      await expect(page.getByTestId('lab-images-error')).toContainText(/engine/);
      await expect(page.getByTestId('lab-image')).not.toContainText('loading');
      expect(failed.filter((f) => f.includes('listLabImages'))).toEqual(['503 /api/listLabImages']);

      // When the engine is back, the picker fills by itself.
      await proxy.start();
      await page.getByTestId('retry-engine').click();
      await expect(page.getByTestId('lab-image').locator('option[value="isolens-test/busybox:latest"]')).toHaveCount(1, { timeout: 15_000 });
      await expect(page.getByTestId('lab-images-error')).toHaveCount(0);
    } finally {
      await serve.stop();
      await proxy.close();
    }
  });
});

test('plain words: ATT&CK and CIS references are links to their pages, namespace modes read the same way on every row', async ({ ui, containers }) => {
  await openRoute(ui, `#/container/${containers.risky.id}/findings`);
  const card = ui.locator('[data-testid="finding"][data-rule="namespaces/host-pid"]');
  await expect(card.getByTestId('ref-attack').first()).toHaveAttribute('href', /^https:\/\/attack\.mitre\.org\/techniques\/T\d{4}\/(\d{3}\/)?$/);
  await expect(card.getByTestId('ref-attack').first()).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(card.getByTestId('ref-cis')).toHaveAttribute('href', 'https://www.cisecurity.org/benchmark/docker');
  await ui.getByTestId('tab-namespaces').click();
  const modes = await ui.getByTestId('namespace-mode').allTextContents();
  expect(modes.length).toBeGreaterThan(0);
  // Each mode is what the engine was asked for, or one of two phrases; never a bare "—", or the engine's "default" beside "engine default".
  for (const mode of modes) expect(['engine default', 'no engine setting', 'host', 'private', 'shareable'].includes(mode) || /^container:/.test(mode), mode).toBe(true);
  expect(modes).toContain('host');
});
