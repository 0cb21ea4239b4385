/// <reference lib="dom" />
// Attacker text end to end: a real container whose labels, env names and command carry ANSI escapes, bidi overrides,
// NUL, `</script>` and 64 KiB values, through every output: the table, Markdown, SARIF and HTML reports, the UI (table,
// Raw tab), the in-app notice (and muting it), and the exporter's metrics. Each stays inert (nothing runs, nothing
// reorders or clears a screen) and bounded (no output carries the 64 KiB whole, except the raw JSON document).
import { expect, test } from '@playwright/test';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from './harness/engine.js';
import { freePort } from './harness/ports.js';
import { startServe, type RunningServe } from './harness/serve.js';

const PREFIX = 'isolens-hostile-';
const client = testClient();
const bin = fileURLToPath(new URL('../bin/isolens.js', import.meta.url));
const BIG = 64 * 1024;
const SCRIPT = '</script><script>window.__pwned=1</script>';
/** Raw control, bidi and invisible code points: none may reach an output as such. */
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;
/** A run of the 64 KiB label's filler longer than any output may show of one value. */
const LONG_RUN = new RegExp(`A{${2048}}`);

const HOSTILE = {
  Labels: {
    note: `\u001b[2J\u001b[31mred\u202eevil ${SCRIPT}`,
    nul: 'before\u0000after',
    big: 'A'.repeat(BIG),
    'com.docker.compose.project': `\u001b]0;pwned\u0007proj${SCRIPT}${'P'.repeat(BIG)}`,
    'com.docker.compose.service': `\u202esvc<img src=x onerror="window.__pwned=3">`,
  },
  Env: ['EVIL\u001b[2J=1', `${SCRIPT}=v`, 'A\u202eB=1'],
  Cmd: ['sh', '-c', `sleep 3600 # \u001b[2J ${SCRIPT} \u202e`, `arg\u001b[31m${'C'.repeat(BIG)}`],
  // CAP_SYS_ADMIN is a critical finding: the container is also a "started with a critical finding" notice.
  HostConfig: { CapAdd: ['SYS_ADMIN'] },
};

let serve: RunningServe;
let reports: StartedContainer;

function isolens(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

test.beforeAll(async ({}, testInfo) => {
  test.skip(testInfo.project.name !== 'chromium', 'runs the CLI and `isolens serve` in Chromium; once is enough');
  await removeTestContainers(client, PREFIX);
  mkdirSync('e2e/screenshots', { recursive: true });
  reports = await startContainer(`${PREFIX}reports`, HOSTILE, client);
  serve = await startServe();
});
test.afterAll(async () => {
  await serve?.stop();
  await removeTestContainers(client, PREFIX);
});

test('the table, Markdown, SARIF and HTML reports keep it inert and bounded', async ({ page }) => {
  const scan = (...args: string[]) => isolens(['scan', '--container', reports.name, ...args]);
  const outputs: Record<string, string> = {
    table: await scan(),
    markdown: await scan('--format', 'markdown'),
    'markdown --full': await scan('--format', 'markdown', '--full'),
    sarif: await scan('--format', 'sarif'),
    html: await scan('--format', 'html'),
  };
  for (const [format, text] of Object.entries(outputs)) {
    expect(text, format).not.toMatch(RAW_UNSAFE);
    expect(text, format).not.toContain(SCRIPT);
    expect(text, format).not.toMatch(LONG_RUN);
  }
  // SARIF is JSON whose strings, once parsed, are still free of raw controls.
  const sarif = JSON.parse(outputs.sarif!) as unknown;
  expect(JSON.stringify(sarif)).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);

  // The HTML report shows the label and command as text, cut with a count, and runs nothing when opened.
  const html = outputs.html!;
  expect(html).toContain('more characters');
  expect(html).toContain('\\x1b[2J');
  expect(html).toContain('&lt;/script&gt;');
  const dir = mkdtempSync(join(tmpdir(), 'isolens-hostile-html-'));
  try {
    writeFileSync(join(dir, 'report.html'), html);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`file://${join(dir, 'report.html')}`);
    await expect(page.locator('details.labels').first()).toBeAttached();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.screenshot({ path: 'e2e/screenshots/hostile-html-report.png', fullPage: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the UI and its notice keep it inert and bounded, and the notice can be muted', async ({ page }) => {
  await page.goto(serve.url);
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'connected');
  // Started while the UI is open: serve says so with a notice (a critical finding).
  const live = await startContainer(`${PREFIX}live`, HOSTILE, client);
  const notice = page.getByTestId('notice').filter({ hasText: `${PREFIX}live started with` });
  await expect(notice).toBeVisible({ timeout: 20_000 });
  expect(await notice.innerText()).not.toMatch(RAW_UNSAFE);

  // The table: the compose project cell is cut, with a count, and shows the escapes as text.
  await page.getByTestId('nav-containers').click();
  const row = page.locator(`[data-testid="container-row"][data-name="${PREFIX}live"]`);
  await expect(row).toBeVisible();
  const rowText = await row.innerText();
  expect(rowText).not.toMatch(RAW_UNSAFE);
  expect(rowText).not.toMatch(/P{300}/);
  expect(rowText).toContain('more characters');

  // The Raw tab: command, env names and labels as visible escapes, each cut with a count.
  await page.evaluate((id) => (window.location.hash = `#/container/${id}/raw`), live.id);
  const labels = page.getByTestId('labels');
  await expect(labels).toContainText('note=\\x1b[2J\\x1b[31mred\\u202eevil </script><script>');
  await expect(labels).toContainText('nul=before\\x00after');
  await expect(page.getByTestId('env-names')).toContainText('EVIL\\x1b[2J');
  await expect(page.getByTestId('command')).toContainText('more characters');
  const facts = await page.locator('.raw dl.facts').innerText();
  expect(facts).not.toMatch(RAW_UNSAFE);
  expect(facts).not.toMatch(LONG_RUN);
  // The raw inspect document is the engine's JSON: whole, but no bidi override takes effect in it.
  expect(await page.getByTestId('raw-json').innerText()).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('.raw img').count()).toBe(0);
  await page.screenshot({ path: 'e2e/screenshots/chromium-hostile-raw.png', fullPage: false });

  // Muting the container from its notice works though its compose identity is 64 KiB long: the key is bounded.
  await notice.getByTestId('notice-mute-container').click();
  await expect(notice).toHaveCount(0);
  const settings = await page.evaluate(async () => {
    const response = await fetch('/api/getNotificationSettings', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ args: [] }) });
    return ((await response.json()) as { result: { mutedContainers: string[] } }).result;
  });
  const muted = settings.mutedContainers.find((key) => key.includes('proj'));
  expect(muted).toBeDefined();
  expect(muted!.length).toBeLessThanOrEqual(256);
});

test('the exporter\'s metrics carry it as bounded, control-free label values that promtool accepts', async () => {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'isolens-hostile-exporter-'));
  const exporter = spawn(process.execPath, [bin, 'exporter', '--listen', `127.0.0.1:${port}`, '--no-history'], { env: { ...process.env, XDG_STATE_HOME: state }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  exporter.stdout!.on('data', (chunk) => (output += chunk));
  exporter.stderr!.on('data', (chunk) => (output += chunk));
  try {
    let metrics = '';
    await expect
      .poll(
        async () => {
          metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
          return metrics.includes(`name="${PREFIX}reports"`);
        },
        { timeout: 30_000, message: `exporter output:\n${output}` },
      )
      .toBe(true);
    const info = metrics.split('\n').find((line) => line.startsWith('isolens_container_info{') && line.includes(`name="${PREFIX}reports"`))!;
    expect(info).not.toMatch(RAW_UNSAFE);
    const project = /compose_project="((?:[^"\\]|\\.)*)"/.exec(info)![1]!;
    expect(Array.from(project).length).toBeLessThanOrEqual(256);
    expect(project.endsWith('…')).toBe(true);
    expect(/compose_service="((?:[^"\\]|\\.)*)"/.exec(info)![1]).not.toMatch(/[\u202a-\u202e]/);
    expect(metrics).not.toMatch(LONG_RUN);
    expect(metrics).not.toMatch(/P{300}/);
    // Prometheus' own parser and linter read the whole exposition.
    const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).not.toMatch(/error|invalid|unexpected/i);
  } finally {
    exporter.kill('SIGTERM');
    rmSync(state, { recursive: true, force: true });
  }
});
