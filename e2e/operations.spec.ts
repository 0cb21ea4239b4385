/// <reference lib="dom" />
// "What can it do?" end to end: the real engine's containers, their operations as the drill-down shows them.
import { test, expect, openRoute } from './fixtures.js';

const verdictOf = (ui: import('@playwright/test').Page, operation: string) => ui.locator(`[data-testid="operation-row"][data-operation="${operation}"]`);

test.describe('what can it do?', () => {
  test('the risky container: host processes, the engine socket and mounts allowed, each with its reason and the flag that blocks it', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/container/${containers.risky.id}/operations`);
    await expect(ui.getByTestId('operations-table')).toBeVisible();
    await expect(ui.getByTestId('operation-row')).toHaveCount(17);
    for (const operation of ['see-host-processes', 'control-engine', 'mount', 'unshare-user']) {
      await expect(verdictOf(ui, operation), operation).toHaveAttribute('data-verdict', 'allowed');
    }
    await expect(verdictOf(ui, 'control-engine')).toContainText('engine socket mounted: /var/run/docker.sock');
    await expect(verdictOf(ui, 'control-engine').getByTestId('operation-flag')).toHaveText('remove -v /var/run/docker.sock');
    await expect(verdictOf(ui, 'see-host-processes').getByTestId('operation-flag')).toHaveText('remove --pid host');
    // Allowed first: the reviewer reads what an attacker can do before what is blocked.
    await expect(ui.getByTestId('operation-row').first()).toHaveAttribute('data-verdict', 'allowed');
    await shot('operations-risky');
  });

  test('the hardened container: nothing of the host in reach, capability operations blocked by the capability layer', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/container/${containers.hardened.id}/operations`);
    await expect(ui.getByTestId('operations-table')).toBeVisible();
    for (const operation of ['raw-socket', 'mknod', 'chown-any-file', 'see-host-processes', 'control-engine', 'write-host-files', 'exhaust-host-memory', 'fork-bomb']) {
      await expect(verdictOf(ui, operation), operation).toHaveAttribute('data-verdict', 'blocked');
    }
    await expect(verdictOf(ui, 'raw-socket')).toContainText('capabilities: CAP_NET_RAW is not in the bounding set');
    await expect(verdictOf(ui, 'raw-socket').getByTestId('operation-flag')).toContainText('--cap-add NET_RAW would allow it');
    await expect(ui.getByRole('tab', { name: 'What can it do?' })).toBeVisible();
    await shot('operations-hardened');
  });
});
