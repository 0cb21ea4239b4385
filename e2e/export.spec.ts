/// <reference lib="dom" />
// Export from the GUI on real containers: each format downloaded from the top bar's menu through the token-protected
// API, and checked for what it is: SARIF against the official 2.1.0 schema, JSON against docs/isolens.schema.json,
// HTML opened as a page, Markdown summary versus full.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Page } from '@playwright/test';
import { test, expect, openRoute } from './fixtures.js';
import { axeViolations } from './harness/axe.js';

const require = createRequire(import.meta.url);

async function exported(ui: Page, testId: string): Promise<{ name: string; text: string }> {
  await ui.getByTestId('export-menu').locator('summary').click();
  const [download] = await Promise.all([ui.waitForEvent('download'), ui.getByTestId(testId).click()]);
  return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
}

function validator(schemaPath: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
}

test('each format downloads from the Export menu and is the right kind of file', async ({ ui, containers, shot }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'the desktop window saves through a native dialog Playwright cannot drive');
  await openRoute(ui, '#/');
  await expect(ui.getByTestId('export-menu')).toBeVisible();

  const sarif = await exported(ui, 'export-sarif');
  expect(sarif.name).toMatch(/^isolens-report-.*\.sarif$/);
  const log = JSON.parse(sarif.text) as { version: string; runs: { results: { ruleId: string; locations?: { logicalLocations?: { fullyQualifiedName?: string }[] }[] }[] }[] };
  const validSarif = validator(require.resolve(`@microsoft/sarif-multitool-${process.platform}/sarif-2.1.0.json`));
  expect(validSarif(log) ? [] : validSarif.errors).toEqual([]);
  expect(log.version).toBe('2.1.0');
  // The risky container's critical finding is in it.
  expect(log.runs[0]!.results.some((r) => r.ruleId === 'capabilities/sys-admin' && JSON.stringify(r.locations).includes(containers.risky.name))).toBe(true);

  const json = await exported(ui, 'export-json');
  expect(json.name).toMatch(/\.json$/);
  const document = JSON.parse(json.text) as { containers: { name: string }[] };
  const validJson = validator('docs/isolens.schema.json');
  expect(validJson(document) ? [] : validJson.errors).toEqual([]);
  expect(document.containers.map((c) => c.name)).toEqual(expect.arrayContaining(Object.values(containers).map((c) => c.name)));

  const summary = await exported(ui, 'export-markdown');
  const full = await exported(ui, 'export-markdown-full');
  expect(summary.name).toMatch(/\.md$/);
  expect(full.name).toMatch(/-full\.md$/);
  expect(summary.text).toMatch(/^## Isolens isolation report/);
  expect(summary.text).toContain(containers.risky.name);
  expect(summary.text.length).toBeLessThanOrEqual(65_536);
  expect(full.text.length).toBeGreaterThan(summary.text.length);

  const html = await exported(ui, 'export-html');
  expect(html.name).toMatch(/\.html$/);
  await expect(ui.getByTestId('export-status')).toContainText(html.name);
  await ui.getByTestId('export-menu').locator('summary').click();
  await expect(ui.getByTestId('export-html')).toBeVisible();
  await shot('export-menu');
  await ui.keyboard.press('Escape');
  await expect(ui.getByTestId('export-html')).toBeHidden();
  await expect(ui.getByTestId('export-menu').locator('summary')).toBeFocused();
  // The HTML report is a page of its own: it opens and names the risky container, and its hostile label stays text.
  const page = await ui.context().newPage();
  await page.setContent(html.text);
  await expect(page.locator('body')).toContainText(containers.risky.name);
  expect(await page.evaluate(() => (window as unknown as { __isolensPwned?: number }).__isolensPwned)).toBeUndefined();
  await page.close();
});

test('the Export menu is reachable by keyboard and has no serious or critical axe violation, light or dark', async ({ ui }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'colour scheme emulation is a browser page feature');
  await openRoute(ui, '#/');
  const summary = ui.getByTestId('export-menu').locator('summary');
  await expect(summary).toBeVisible();
  await summary.focus();
  await ui.keyboard.press('Enter');
  await ui.keyboard.press('Tab');
  await expect(ui.getByTestId('export-html')).toBeFocused();
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await ui.emulateMedia({ colorScheme });
    for (const line of await axeViolations(ui)) found.push(`${colorScheme}: ${line}`);
  }
  expect(found).toEqual([]);
});
