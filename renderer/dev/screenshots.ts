// Dev tool: drives the fixture UI in system Chromium, checks the key interactions and saves a screenshot of every view to look at.
// Usage: npx tsx renderer/dev/screenshots.ts [--out docs/screenshots] [--url http://127.0.0.1:5173/]
import { chromium, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startCspServer, startDevServer } from './dev-server.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const outDir = option('--out') ?? '.isolens-tmp/screenshots';
mkdirSync(outDir, { recursive: true });

const failures: string[] = [];
function check(condition: boolean, what: string): void {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${what}`);
  if (!condition) failures.push(what);
}

async function open(browser: Browser, base: string, query: string, hash: string, dark = false): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: dark ? 'dark' : 'light' });
  page.on('dialog', (dialog) => {
    failures.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
  await page.goto(`${base}?fixture=1${query}${hash}`);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, `${name}.png`) });
  console.log(`     saved ${name}.png`);
}

async function idOf(page: Page, name: string): Promise<string> {
  await page.goto(page.url().replace(/#.*$/, '') + '#/containers');
  const row = page.locator(`[data-testid="container-row"][data-name="${name}"]`);
  await row.waitFor();
  return (await row.getAttribute('data-id'))!;
}

async function main(): Promise<void> {
  const given = option('--url');
  const dev = given ? null : await startDevServer(Number(option('--port') ?? 5173));
  const base = given ?? dev!.url;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    // Overview, light and dark.
    for (const dark of [false, true]) {
      const page = await open(browser, base, '', '#/', dark);
      await page.getByTestId('engine-card').waitFor();
      await shot(page, `overview${dark ? '-dark' : ''}`);
      await page.close();
    }

    // A grade bar opens the table filtered to that grade.
    const bars = await open(browser, base, '', '#/');
    await bars.getByTestId('grade-distribution').waitFor();
    await bars.locator('[data-testid="grade-distribution"] .recharts-bar-rectangle').last().click();
    await bars.getByTestId('container-row').first().waitFor();
    check((await bars.getByTestId('container-row').count()) === 1 && (await bars.getByTestId('container-row').first().getAttribute('data-grade')) === 'F', 'the F bar opens the table filtered to grade F');
    await bars.close();

    // Table: sorted riskiest first, search, keyboard.
    const page = await open(browser, base, '', '#/containers');
    await page.getByTestId('container-row').first().waitFor();
    await page.waitForTimeout(2500); // sparklines fill
    check((await page.getByTestId('container-row').first().getAttribute('data-name')) === 'ci-runner', 'the riskiest container (ci-runner, F) is first');
    check((await page.getByText('<img src=x onerror=alert(1)>', { exact: true }).count()) > 0, 'the hostile name is shown literally');
    check((await page.locator('img').count()) === 0, 'no <img> element was created from container text');
    await shot(page, 'containers');
    await page.getByTestId('containers-table').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    check((await page.locator('[data-testid="container-row"][aria-selected="true"]').getAttribute('data-name')) === 'web', 'arrow keys select the second row');
    await page.getByTestId('sort-name').click();
    check((await page.getByTestId('container-row').first().getAttribute('data-name')) === '<img src=x onerror=alert(1)>', 'sorting by name puts "<img…" first');
    await page.getByTestId('sort-grade').click();
    check((await page.getByTestId('container-row').first().getAttribute('data-name')) === 'ci-runner', 'sorting by grade again puts the riskiest first');
    await page.getByTestId('column-menu').locator('summary').click();
    await page.getByTestId('column-toggle-image').uncheck();
    check((await page.locator('[role="columnheader"]').filter({ hasText: 'Image' }).count()) === 0, 'the column menu hides the image column');
    await page.getByTestId('column-toggle-image').check();
    await page.getByTestId('column-menu').locator('summary').click();
    await page.getByTestId('filter-flags').selectOption('engine-socket');
    check((await page.getByTestId('container-row').count()) === 1, 'the risk-flag filter keeps only the container with the engine socket');
    await page.getByTestId('filter-flags').selectOption('');
    await page.getByTestId('table-search').fill('pay');
    check((await page.getByTestId('container-row').count()) === 1, 'search filters to one row');
    await shot(page, 'containers-search');
    await page.getByTestId('table-search').fill('');
    await page.getByTestId('containers-table').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('container-detail').waitFor();
    check((await page.getByTestId('detail-name').textContent()) === 'web', 'Enter opens the selected container');
    await page.goBack();
    await page.getByTestId('container-row').first().waitFor();
    check((await page.locator('[data-testid="container-row"][aria-selected="true"]').getAttribute('data-name')) === 'web', 'the selection survives a trip to the drill-down');
    await page.close();

    // 1,000 rows, scrolled.
    const big = await open(browser, base, '&rows=1000', '#/containers');
    await big.getByTestId('container-row').first().waitFor();
    const rendered = await big.getByTestId('container-row').count();
    check(rendered < 80, `only visible rows are in the DOM (${rendered} of 1004)`);
    // Scroll the whole list in 60 steps, two frames each, while stats keep arriving: the mean frame must stay well under 50 ms.
    const meanFrameMs = await big.getByTestId('containers-table').evaluate(async (el) => {
      // No named helpers in here: tsx would wrap them in __name(), which does not exist in the page.
      const started = performance.now();
      for (let step = 0; step < 60; step++) {
        el.scrollTop = (el.scrollHeight * step) / 60;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      return (performance.now() - started) / 120;
    });
    check(meanFrameMs < 50, `1,000 rows scroll smoothly (mean frame ${meanFrameMs.toFixed(1)} ms)`);
    await big.getByTestId('containers-table').evaluate((el) => (el.scrollTop = 20_000));
    await big.waitForTimeout(1500);
    await shot(big, 'containers-1000-scrolled');
    await big.getByTestId('containers-table').focus();
    await big.keyboard.press('End');
    await big.waitForTimeout(300);
    check((await big.locator('[data-testid="container-row"][aria-selected="true"]').count()) === 1, 'End selects the last row and keeps it rendered');
    await big.close();

    // Drill-down tabs of the dangerous container, light; findings and resources also dark.
    for (const dark of [false, true]) {
      const detail = await open(browser, base, '', '#/containers', dark);
      const id = await idOf(detail, 'ci-runner');
      const tabs = dark ? ['findings', 'resources'] : ['findings', 'namespaces', 'capabilities', 'seccomp', 'resources', 'mounts', 'network', 'raw'];
      for (const tab of tabs) {
        await detail.goto(`${base}?fixture=1#/container/${id}/${tab}`);
        await detail.getByTestId('container-detail').waitFor();
        if (tab === 'resources') {
          await detail.getByTestId('live-chart-cpu').waitFor();
          const before = Number(await detail.getByTestId('live-chart-cpu').getAttribute('data-points'));
          await detail.waitForTimeout(2200);
          const after = Number(await detail.getByTestId('live-chart-cpu').getAttribute('data-points'));
          check(after > before || after === 300, `the live chart gains points (${before} → ${after})`);
        }
        if (tab === 'findings' && !dark) {
          await detail.context().grantPermissions(['clipboard-read', 'clipboard-write']);
          await detail.getByTestId('copy-button').first().click();
          const copied = await detail.evaluate(() => navigator.clipboard.readText());
          check(copied === (await detail.getByTestId('fix-docker-run').first().textContent()), `Copy puts the flag on the clipboard (${copied})`);
        }
        if (tab === 'raw') {
          await detail.getByTestId('raw-json').waitFor();
          await detail.getByTestId('raw-filter').fill('sock');
        }
        await shot(detail, `detail-${tab}${dark ? '-dark' : ''}`);
      }
      if (!dark) {
        // Keyboard through the tabs.
        await detail.goto(`${base}?fixture=1#/container/${id}/findings`);
        await detail.getByTestId('tab-findings').focus();
        await detail.keyboard.press('ArrowRight');
        check(detail.url().endsWith('/namespaces'), 'ArrowRight moves to the next tab');
      }
      await detail.close();
    }

    // The hostile container: its findings and raw tab with labels.
    const hostile = await open(browser, base, '', '#/containers');
    const hostileId = await idOf(hostile, '<img src=x onerror=alert(1)>');
    await hostile.goto(`${base}?fixture=1#/container/${hostileId}/namespaces`);
    await hostile.getByTestId('namespaces-table').waitFor();
    check((await hostile.getByTestId('gap').count()) >= 2, 'permission-limited namespaces are marked');
    await shot(hostile, 'detail-hostile-namespaces');
    await hostile.goto(`${base}?fixture=1#/container/${hostileId}/raw`);
    await hostile.getByTestId('raw-json').waitFor();
    check((await hostile.locator('#root img, #root script, [onload], [onerror]').count()) === 0, 'hostile labels and command created no elements');
    await shot(hostile, 'detail-hostile-raw');
    await hostile.close();

    // A fresh snapshot (the retry sends one) keeps the table's selection, sort and filters.
    const refresh = await open(browser, base, '&engine=unreachable', '#/containers');
    await refresh.getByTestId('container-row').first().waitFor();
    await refresh.getByTestId('filter-findings').selectOption('high');
    await refresh.locator('[data-testid="container-row"][data-name="web"]').click();
    await refresh.getByTestId('sort-name').click();
    const before = await refresh.getByTestId('container-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
    await refresh.getByTestId('retry-engine').click();
    await refresh.getByTestId('engine-banner').waitFor({ state: 'detached', timeout: 5000 });
    const after = await refresh.getByTestId('container-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
    check(JSON.stringify(before) === JSON.stringify(after) && before.length === 3, `order and filter survive a new snapshot (${after.join(', ')})`);
    check((await refresh.locator('[data-testid="container-row"][aria-selected="true"]').getAttribute('data-name')) === 'web', 'the selection survives a new snapshot');
    await refresh.close();

    // Engine unreachable, then retry.
    const down = await open(browser, base, '&engine=unreachable', '#/');
    await down.getByTestId('engine-banner').waitFor();
    await shot(down, 'engine-unreachable');
    await down.getByTestId('retry-engine').click();
    await down.locator('[data-testid="engine-banner"][data-status="connecting"]').waitFor();
    await shot(down, 'engine-reconnecting');
    await down.getByTestId('engine-banner').waitFor({ state: 'detached', timeout: 5000 });
    check(true, 'the banner goes away once the engine is back');
    await down.close();

    // Empty and loading.
    const empty = await open(browser, base, '&empty=1', '#/');
    await empty.getByTestId('empty').waitFor();
    await shot(empty, 'empty');
    await empty.close();
    const loading = await open(browser, base, '&loading=1', '#/');
    await loading.getByTestId('loading').waitFor();
    await shot(loading, 'loading');
    await loading.close();
    // The same UI built without the dev server, under the app's CSP: no violation may be reported.
    const csp = await startCspServer(Number(option('--csp-port') ?? 5174), resolve('.isolens-tmp/renderer-csp'));
    try {
      const strict = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const violations: string[] = [];
      strict.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      strict.on('pageerror', (error) => violations.push(error.message));
      await strict.goto(`${csp.url}?fixture=1#/`);
      await strict.getByTestId('engine-card').waitFor();
      await strict.goto(`${csp.url}?fixture=1#/containers`);
      await strict.getByTestId('container-row').first().waitFor();
      const id = await strict.locator('[data-testid="container-row"][data-name="ci-runner"]').getAttribute('data-id');
      await strict.goto(`${csp.url}?fixture=1#/container/${id}/resources`);
      await strict.getByTestId('live-chart-cpu').waitFor();
      await strict.waitForTimeout(1500);
      check(violations.length === 0, `no CSP violation or page error under the app's policy${violations.length ? `: ${violations.join(' | ')}` : ''}`);
      await strict.close();
    } finally {
      csp.server.close();
    }
  } finally {
    await browser.close();
    await dev?.server.close();
  }
  console.log(failures.length === 0 ? 'all checks passed' : `${failures.length} failed:\n  ${failures.join('\n  ')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

await main();
