// The HTML report as a reviewer gets it: `isolens scan --format html` on real containers, opened in Chromium from a file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures.js';

test('the HTML report is self-contained, cites evidence and fixes, and escapes container text', async ({ page, containers }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'a file report, not the app');
  const html = execFileSync(process.execPath, ['bin/isolens.js', 'scan', '--format', 'html'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const file = join(mkdtempSync(join(tmpdir(), 'isolens-report-')), 'report.html');
  writeFileSync(file, html);
  expect(html).not.toMatch(/<script/i);

  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) requests.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(`file://${file}`);
  const text = await page.locator('body').innerText();
  for (const c of Object.values(containers)) expect(text).toContain(c.name);
  // Worst first: the risky container is described before the hardened one.
  expect(text.indexOf(containers.risky.name)).toBeLessThan(text.indexOf(containers.hardened.name));
  expect(html).toContain('--security-opt no-new-privileges');
  expect(await page.locator('img').count()).toBe(0);
  expect(requests).toEqual([]);
  expect(consoleErrors).toEqual([]);
  await page.screenshot({ path: 'e2e/screenshots/report-html.png', fullPage: false });
});
