/// <reference lib="dom" />
// A non-root container: its effective set is empty, its bounding set is the engine's default. Every output names the set
// it shows, so "caps none" and "CAP_NET_RAW in the container's capability set" can no longer be read as a contradiction.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test, expect, openRoute } from './fixtures.js';
import { defaultCapabilities } from '../app/model/capabilities.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from './harness/engine.js';

// Not under E2E_PREFIX: the shared containers fixture removes those when it starts, which may be after beforeAll.
const NAME = 'isolens-capsets-nonroot';
const bin = fileURLToPath(new URL('../bin/isolens.js', import.meta.url));
const defaults = defaultCapabilities('docker').length;
let nonroot: StartedContainer;

function isolens(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))),
  );
}

test.beforeAll(async () => {
  await removeTestContainers(testClient(), NAME);
  nonroot = await startContainer(NAME, { User: '1000:1000' });
});
test.afterAll(async () => {
  await removeTestContainers(testClient(), NAME);
});

test('the scan table, Markdown, SARIF and HTML name the bounding and the effective set', async ({}, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'CLI outputs: once is enough');
  const table = await isolens('scan', '--container', NAME);
  expect(table).toContain('caps bounding default, effective none');
  expect(table).not.toMatch(/caps none(?! \(bounding, effective\))/);
  expect(table).toContain("Can craft raw network packets (CAP_NET_RAW in the bounding set)");
  const markdown = await isolens('scan', '--container', NAME, '--format', 'markdown', '--full');
  expect(markdown).toContain('bounding set engine default; effective set empty');
  const sarif = JSON.parse(await isolens('scan', '--container', NAME, '--format', 'sarif')) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; shortDescription: { text: string } }> } } }> };
  const netRaw = sarif.runs[0]!.tool.driver.rules.find((rule) => rule.id === 'capabilities/net-raw');
  expect(netRaw?.shortDescription.text).toBe("Can craft raw network packets (CAP_NET_RAW in the bounding set)");
  const html = await isolens('scan', '--container', NAME, '--format', 'html');
  expect(html).toContain('bounding set engine default; effective set empty');
});

test('the UI names both sets: tab, table, finding and flag', async ({ ui, shot }) => {
  await openRoute(ui, `#/container/${nonroot.id}/capabilities`);
  await expect(ui.getByTestId('detail-name')).toHaveText(NAME);
  await expect(ui.getByTestId('tab-capabilities')).toHaveText(`Capabilities (${defaults} bounding, 0 effective)`);
  await expect(ui.getByTestId('capability-sets')).toContainText(`Bounding set: ${defaults}`);
  await expect(ui.getByTestId('capability-sets')).toContainText('effective set: 0');
  await expect(ui.getByTestId('effective-empty')).toBeVisible();
  await expect(ui.getByTestId('capability-row')).toHaveCount(defaults);
  await expect(ui.locator('[data-testid="capability-row"][data-capability="CAP_NET_RAW"]')).toHaveAttribute('data-effective', 'false');
  await shot('capabilities-nonroot');
  await ui.getByTestId('tab-findings').click();
  await expect(ui.locator('[data-testid="finding"][data-rule="capabilities/net-raw"]')).toContainText("Can craft raw network packets (CAP_NET_RAW in the bounding set)");
});
