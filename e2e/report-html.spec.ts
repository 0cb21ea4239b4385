/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
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

test('the HTML report keeps 64-character names, every capability and a long command inside its column at 1,200 px, and F reads darker than E in both themes', async ({ browser, containers }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'a file report, not the app');
  void containers;
  const { startContainer, removeTestContainers, testClient } = await import('./harness/engine.js');
  const longName = `isolens-e2e-long-${'n'.repeat(64 - 'isolens-e2e-long-'.length - 4)}-end`;
  expect(longName).toHaveLength(64);
  await startContainer(longName, { Labels: { 'com.docker.compose.project': 'p'.repeat(64) } });
  // Every capability: its evidence value is a list of 24 names beyond the default set, and a command of one 400-character
  // word, which a grid's or a table's auto-sized column would otherwise widen the page to fit.
  const longWord = 'w'.repeat(400);
  await startContainer('isolens-e2e-long-caps', { Cmd: ['sh', '-c', `sleep 3600; echo ${longWord}`], HostConfig: { CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'] } });
  try {
    const html = execFileSync(process.execPath, ['bin/isolens.js', 'scan', '--format', 'html'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const file = join(mkdtempSync(join(tmpdir(), 'isolens-report-')), 'report.html');
    writeFileSync(file, html);
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme });
      await page.goto(`file://${file}`);
      await expect(page.locator('body')).toContainText(longName);
      // The list as a list (it was the names run together, CAP_DAC_READ_SEARCHCAP_LINUX_IMMUTABLE…).
      const everyCapability = page.locator('section.container', { hasText: 'isolens-e2e-long-caps' }).locator('table.evidence', { hasText: 'capabilities.addedVsDefault' }).first();
      await expect(everyCapability).toContainText(/\["CAP_[A-Z_]+","CAP_[A-Z_]+",.*"CAP_SYS_MODULE"/);
      await expect(page.locator('body')).toContainText(longWord);
      const overflow = await page.evaluate(() => {
        const out: string[] = [];
        if (document.documentElement.scrollWidth > document.documentElement.clientWidth) out.push(`page ${document.documentElement.scrollWidth}px wide`);
        for (const table of document.querySelectorAll('table')) {
          const parent = table.parentElement!;
          if (table.getBoundingClientRect().right > parent.getBoundingClientRect().right + 1) out.push(`table .${table.className} runs past its column`);
        }
        for (const cell of document.querySelectorAll('td')) if (cell.scrollWidth > cell.clientWidth + 1) out.push(`a cell overflows: ${cell.textContent?.slice(0, 40)}`);
        for (const value of document.querySelectorAll('dd')) if (value.getBoundingClientRect().right > value.closest('section, main, body')!.getBoundingClientRect().right + 1) out.push(`a value runs past its section: ${value.textContent?.slice(0, 40)}`);
        return out;
      });
      expect(overflow, colorScheme).toEqual([]);
      const luminance = await page.evaluate(() => {
        const of = (grade: string) => {
          const probe = document.createElement('span');
          probe.className = `grade grade-${grade}`;
          document.body.append(probe);
          const [r, g, b] = getComputedStyle(probe).backgroundColor.match(/\d+/g)!.map(Number).map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
          probe.remove();
          return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        };
        return { E: of('E'), F: of('F') };
      });
      expect(luminance.F, `${colorScheme}: F darker than E`).toBeLessThan(luminance.E);
      await page.screenshot({ path: `e2e/screenshots/report-html-1200-${colorScheme}.png`, fullPage: false });
      await page.close();
    }
  } finally {
    await removeTestContainers(testClient(), 'isolens-e2e-long-');
  }
});
