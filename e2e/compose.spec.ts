/// <reference lib="dom" />
// Compose projects in the review UI, on real containers labelled as compose labels them (no compose plugin here):
// filter and search by project with the filter in the URL, rows grouped by project worst first, and the Fix tab's
// one compose.override.yml for the whole project, copied or saved.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { parse } from 'yaml';
import { test, expect, openRoute } from './fixtures.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from './harness/engine.js';
import { axeViolations } from './harness/axe.js';

// Not the shared e2e prefix: other specs count the containers that carry it.
const PREFIX = 'isolens-cmp-';
const SHOP = 'isolens-shop';
const BLOG = 'isolens-blog';
const client = testClient();
const labels = (project: string, service: string, number: number) => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  'com.docker.compose.container-number': String(number),
});

let started: Record<'web1' | 'web2' | 'db' | 'worker' | 'loose', StartedContainer>;

const names = (ui: Page) => ui.getByTestId('container-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')).sort());
/** The grid body's rows top to bottom: a group heading as "# project (count)", a container as its name. */
const layout = (ui: Page) =>
  ui.locator('[data-testid="project-group"], [data-testid="container-row"]').evaluateAll((rows) =>
    rows
      .map((r) => ({ y: new DOMMatrix(getComputedStyle(r).transform).m42, text: r.getAttribute('data-testid') === 'project-group' ? `# ${r.getAttribute('data-project') || '-'} (${r.getAttribute('data-count')})` : r.getAttribute('data-name') }))
      .sort((a, b) => a.y - b.y)
      .map((r) => r.text),
  );

test.describe('compose projects', () => {
  test.beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    started = {
      web1: await startContainer(`${PREFIX}shop-web-1`, { Labels: labels(SHOP, 'web', 1) }),
      web2: await startContainer(`${PREFIX}shop-web-2`, { Labels: labels(SHOP, 'web', 2) }),
      // The project's risky service: the host's PID namespace and the host's /etc, writable.
      db: await startContainer(`${PREFIX}shop-db-1`, { Labels: labels(SHOP, 'database', 1), HostConfig: { PidMode: 'host', Binds: ['/etc:/host-etc'] } }),
      worker: await startContainer(`${PREFIX}blog-worker-1`, { Labels: labels(BLOG, 'worker', 1) }),
      loose: await startContainer(`${PREFIX}loose`, {}),
    };
  });
  test.afterAll(() => removeTestContainers(client, PREFIX));

  test('filter and search by project, the filter and the grouping in the URL, projects grouped worst first', async ({ ui, shot }) => {
    await openRoute(ui, `#/containers?q=${PREFIX}`);
    await expect.poll(() => names(ui)).toHaveLength(5);

    await ui.getByTestId('filter-project').selectOption(SHOP);
    await expect(ui).toHaveURL(new RegExp(`project=${SHOP}`));
    await expect.poll(() => names(ui)).toEqual([started.db.name, started.web1.name, started.web2.name]);
    await ui.reload();
    await expect.poll(() => names(ui)).toEqual([started.db.name, started.web1.name, started.web2.name]);
    await expect(ui.getByTestId('filter-project')).toHaveValue(SHOP);
    await ui.getByTestId('filter-project').selectOption('-');
    await expect.poll(() => names(ui)).toEqual([started.loose.name]);
    await ui.getByTestId('filter-project').selectOption('');

    // The project is searchable like a name, and so is the service ("database" is in no name, and no hex id has an s).
    await ui.getByTestId('table-search').fill(BLOG);
    await expect.poll(() => names(ui)).toEqual([started.worker.name]);
    await ui.getByTestId('table-search').fill(`${PREFIX} database`);
    await expect.poll(() => names(ui)).toEqual([started.db.name]);
    await ui.getByTestId('table-search').fill(PREFIX);

    await ui.getByTestId('group-by-project').check();
    await expect(ui).toHaveURL(/group=project/);
    // The shop, whose db shares the host's PID namespace, before the blog; the containers of no project last.
    // The two web replicas score the same, so either may come first.
    const replicas = (items: (string | null)[]) => items.map((item) => (item === started.web1.name || item === started.web2.name ? 'a web replica' : item));
    await expect.poll(async () => replicas(await layout(ui))).toEqual([`# ${SHOP} (3)`, started.db.name, 'a web replica', 'a web replica', `# ${BLOG} (1)`, started.worker.name, '# - (1)', started.loose.name]);
    const shop = ui.locator(`[data-testid="project-group"][data-project="${SHOP}"]`);
    await expect(shop).toContainText('3 containers');
    await shot('compose-grouped');

    // Arrows move over containers only, in the order shown, across the group headings.
    await ui.getByTestId('containers-table').focus();
    await ui.keyboard.press('Home');
    await expect(ui.locator('[data-testid="container-row"][aria-selected="true"]')).toHaveAttribute('data-name', started.db.name);
    for (let i = 0; i < 3; i += 1) await ui.keyboard.press('ArrowDown');
    await expect(ui.locator('[data-testid="container-row"][aria-selected="true"]')).toHaveAttribute('data-name', started.worker.name);

    // A reload keeps the grouping; the heading's link narrows to the project, and Clear filters keeps the grouping.
    await ui.reload();
    await expect.poll(() => layout(ui)).toContain(`# ${BLOG} (1)`);
    await ui.locator(`[data-testid="project-group"][data-project="${BLOG}"]`).getByTestId('project-only').click();
    await expect(ui).toHaveURL(new RegExp(`project=${BLOG}.*group=project`));
    await expect.poll(() => layout(ui)).toEqual([`# ${BLOG} (1)`, started.worker.name]);
    await ui.getByTestId('clear-filters').click();
    await expect(ui).toHaveURL(/#\/containers\?group=project$/);

    // The heading's other link opens the Fix tab of the project's worst container.
    await openRoute(ui, `#/containers?q=${PREFIX}&group=project`);
    await shop.getByTestId('project-fix').click();
    await expect(ui).toHaveURL(new RegExp(`#/container/${started.db.id}/fix$`));
    await expect(ui.getByTestId('fix-project-yaml')).toBeVisible();
  });

  test('the Fix tab of a project\'s container offers one override for the whole project, to copy or to save', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/container/${started.web2.id}/fix`);
    const yaml = ui.getByTestId('fix-project-yaml');
    await expect(yaml).toContainText('services:');
    const shown = (await yaml.textContent()) ?? '';
    const doc = parse(shown) as { services: Record<string, Record<string, unknown>> };
    // Two replicas are one service, the blog's worker is not in it; each service is hardened.
    expect(Object.keys(doc.services)).toEqual(['database', 'web']);
    for (const service of Object.values(doc.services)) {
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
    }
    expect(doc.services.database!.volumes).toEqual([{ type: 'bind', source: '/etc', target: '/host-etc', read_only: true }]);
    expect(shown).toMatch(/# in compose\.yml, remove --pid host/);
    await expect(ui.getByTestId('fix-project-services')).toContainText('all 2 services');
    await ui.getByTestId('fix-project').screenshot({ path: 'e2e/screenshots/chromium-fix-compose-project-block.png' });
    await shot('fix-compose-project');

    const [download] = await Promise.all([ui.waitForEvent('download'), ui.getByTestId('fix-project-download').click()]);
    expect(download.suggestedFilename()).toBe('compose.override.yml');
    const saved = readFileSync((await download.path())!, 'utf8');
    expect(saved).toBe(shown);

    // A container compose did not start has no project override.
    await openRoute(ui, `#/container/${containers.ordinary.id}/fix`);
    await expect(ui.getByTestId('fix-command')).toBeVisible();
    await expect(ui.getByTestId('fix-project')).toHaveCount(0);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`no serious or critical axe violation on the grouped table and the project override (${colorScheme})`, async ({ ui }, testInfo) => {
      test.skip(testInfo.project.name === 'electron', 'colour scheme emulation is a browser page feature');
      await ui.emulateMedia({ colorScheme });
      await openRoute(ui, `#/containers?q=${PREFIX}&group=project`);
      await expect(ui.getByTestId('project-group').first()).toBeVisible();
      const found = (await axeViolations(ui)).map((line) => `grouped: ${line}`);
      await openRoute(ui, `#/container/${started.db.id}/fix`);
      await expect(ui.getByTestId('fix-project-yaml')).toBeVisible();
      found.push(...(await axeViolations(ui)).map((line) => `fix: ${line}`));
      expect(found).toEqual([]);
    });
  }
});
