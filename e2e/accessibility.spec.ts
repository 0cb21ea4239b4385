/// <reference lib="dom" />
// Accessibility of every screen, light and dark, with axe-core (the ecosystem's checker), and the keyboard paths a reviewer takes.
import type { Page } from '@playwright/test';
import { test, expect, openRoute, E2E_PREFIX } from './fixtures.js';
import { everyScreen } from './harness/screens.js';
import { axeViolations } from './harness/axe.js';

/** Serious and critical violations, one line each: rule, impact, the first offending node. */
const violations = (ui: Page): Promise<string[]> => axeViolations(ui);

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no serious or critical axe violation on any screen (${colorScheme})`, async ({ ui, containers }, testInfo) => {
    test.setTimeout(300_000);
    test.skip(testInfo.project.name === 'electron', 'colour scheme emulation is a browser page feature');
    await ui.emulateMedia({ colorScheme });
    const screens = everyScreen(containers, E2E_PREFIX);
    const found: string[] = [];
    for (const [name, hash, ready] of screens) {
      await openRoute(ui, hash);
      await expect(ui.getByTestId(ready).first()).toBeVisible();
      await ui.waitForTimeout(300);
      for (const line of await violations(ui)) found.push(`${name}: ${line}`);
    }
    expect(found).toEqual([]);
  });
}

test('keyboard only: from the overview to the worst container\'s fix, and Back keeps the place', async ({ ui, containers }) => {
  await openRoute(ui, `#/containers?q=${E2E_PREFIX}`);
  await expect(ui.getByTestId('container-row').first()).toBeVisible();
  // The grid is one tab stop; arrows move, Enter opens.
  await ui.getByTestId('containers-table').focus();
  await ui.keyboard.press('Home');
  await expect(ui.locator('[data-testid="container-row"][aria-selected="true"]')).toHaveAttribute('data-name', containers.risky.name);
  await ui.keyboard.press('Enter');
  await expect(ui.getByTestId('detail-name')).toHaveText(containers.risky.name);
  // Focus lands on the new view's heading, not the body.
  await expect.poll(() => ui.evaluate(() => document.activeElement?.tagName)).toBe('H1');
  // Tabs: arrow keys move between them; the Fix tab's command has a copy button reachable by Tab.
  await ui.getByTestId('tab-findings').focus();
  await ui.keyboard.press('End');
  // End selects the last tab, whichever it is (tabs are added as the product grows).
  const lastTab = ui.getByRole('tab').last();
  await expect(lastTab).toHaveAttribute('aria-selected', 'true');
  await expect(lastTab).toBeFocused();
  const lastId = ((await lastTab.getAttribute('data-testid')) ?? '').replace(/^tab-/, '');
  expect(lastId).not.toBe('findings');
  await expect(ui).toHaveURL(new RegExp(`/${lastId}$`));
  await ui.goBack();
  await expect(ui.getByTestId('container-row').first()).toBeVisible();
  await expect.poll(() => ui.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? document.activeElement?.tagName)).toBe('containers-table');
  await expect(ui.locator('[data-testid="container-row"][aria-selected="true"]')).toHaveAttribute('data-name', containers.risky.name);
});

test('the Columns menu closes on Escape and on a click outside, and gives focus back', async ({ ui }) => {
  await openRoute(ui, '#/containers');
  const menu = ui.getByTestId('column-menu');
  await menu.locator('summary').click();
  await expect(menu).toHaveAttribute('open', '');
  await ui.keyboard.press('Escape');
  await expect(menu).not.toHaveAttribute('open', '');
  await expect(menu.locator('summary')).toBeFocused();
  await menu.locator('summary').click();
  await expect(menu).toHaveAttribute('open', '');
  await ui.getByTestId('row-count').click();
  await expect(menu).not.toHaveAttribute('open', '');
});

test('the lab\'s result (headline, docker run, predicted beside observed, the diff) has no serious or critical axe violation, light or dark', async ({ ui }) => {
  test.setTimeout(120_000);
  await openRoute(ui, '#/lab');
  await expect(ui.getByTestId('lab-image').locator('option[value="isolens-test/busybox:latest"]')).toHaveCount(1);
  await ui.getByTestId('lab-image').selectOption('isolens-test/busybox:latest');
  await ui.getByTestId('lab-run').click();
  await expect(ui.getByTestId('lab-result')).toBeVisible({ timeout: 60_000 });
  const first = await ui.getByTestId('lab-result').getAttribute('data-container');
  await ui.getByTestId('lab-toggle-dropAllCapabilities').check();
  await ui.getByTestId('lab-run').click();
  await expect(ui.getByTestId('lab-result')).not.toHaveAttribute('data-container', first ?? '', { timeout: 60_000 });
  await expect(ui.getByTestId('lab-blocked-delta')).toBeVisible();
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await ui.emulateMedia({ colorScheme });
    for (const line of await violations(ui)) found.push(`lab result (${colorScheme}): ${line}`);
  }
  await ui.getByTestId('lab-close').click();
  await expect(ui.getByTestId('lab-closed')).toContainText('removed');
  expect(found).toEqual([]);
});
