/// <reference lib="dom" />
// A real gVisor (runsc) container in the CLI table and the app: the runtime is named, and the seccomp row is the sandbox's
// filter read from the kernel, not "disabled". Skipped where the engine has no runsc runtime (.ci/run registers it).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test, expect, openRoute } from './fixtures.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from './harness/engine.js';

const NAME = 'isolens-runtime-gvisor';
const bin = fileURLToPath(new URL('../bin/isolens.js', import.meta.url));
let gvisor: StartedContainer;
let hasRunsc = false;

function isolens(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))),
  );
}

test.beforeAll(async () => {
  const info = (await testClient().info()) as { Runtimes?: Record<string, unknown> };
  hasRunsc = Object.keys(info.Runtimes ?? {}).includes('runsc');
  if (!hasRunsc) return;
  await removeTestContainers(testClient(), NAME);
  gvisor = await startContainer(NAME, { HostConfig: { Runtime: 'runsc' } });
});
test.afterAll(async () => {
  if (hasRunsc) await removeTestContainers(testClient(), NAME);
});

test('the scan table names gVisor and its seccomp as the sandbox\'s', async ({}, testInfo) => {
  test.skip(!hasRunsc, 'the engine under test has no runsc runtime');
  test.skip(testInfo.project.name === 'electron', 'CLI outputs: once is enough');
  const table = await isolens('scan', '--container', NAME);
  expect(table).toContain('gVisor');
  expect(table).toContain('seccomp sandbox');
  expect(table).not.toContain('seccomp unconfined');
});

test('the detail header and the Seccomp & LSM tab show the runtime and its sandbox process', async ({ ui, shot }) => {
  test.skip(!hasRunsc, 'the engine under test has no runsc runtime');
  await openRoute(ui, `#/container/${gvisor.id}/seccomp`);
  await expect(ui.getByTestId('detail-name')).toHaveText(NAME);
  await expect(ui.getByTestId('detail-runtime')).toContainText('runsc (gVisor, user-space kernel)');
  const table = ui.getByTestId('security-table');
  await expect(table.locator('[data-fact="runtime"]')).toContainText('gVisor');
  await expect(table.locator('[data-fact="runtime.sandbox"]')).toContainText('runsc-sandbox');
  await expect(table.locator('[data-fact="runtime.sandbox"]')).toContainText('seccomp filter');
  await expect(table.locator('[data-fact="seccomp.mode"]')).toContainText('filter');
  await expect(table.locator('[data-fact="seccomp.profile"]')).toContainText('sandbox');
  await expect(table.locator('[data-fact="user"]')).toContainText('inside the sandbox');
  // uid 0 in gVisor is root of gVisor's kernel: no ROOT flag (a runc container's root gets one).
  await expect(ui.getByTestId('detail-header')).not.toContainText('ROOT');
  await shot('runtime-gvisor-security');
});
