/// <reference lib="dom" />
// The limits that apply, end to end: a real container under a parent cgroup with tighter limits (--cgroup-parent), its
// Resources tab naming the level that sets each limit, and the live count of forks refused at the process limit.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { test, expect, openRoute, E2E_PREFIX } from './fixtures.js';
import { execIn, startContainer, testClient } from './harness/engine.js';
import { CGROUPFS, removeCgroupParent } from './harness/cgroup-parent.js';

const PARENT = `/isolens-e2e-parent-${process.pid}`;
const MiB = 1024 * 1024;


test.describe('limits that apply', () => {
  test.skip(!existsSync(`${CGROUPFS}/memory/memory.limit_in_bytes`), 'the parent is made in cgroup v1 hierarchies (this host and CI)');

  test('a parent cgroup\'s tighter limit is the one shown, with the level that sets it; refused forks are counted live', async ({ ui, containers, shot }) => {
    void containers;
    const client = testClient();
    const name = `${E2E_PREFIX}under-parent-${Date.now()}`;
    for (const controller of ['memory', 'pids', 'cpu']) mkdirSync(`${CGROUPFS}/${controller}${PARENT}`, { recursive: true });
    writeFileSync(`${CGROUPFS}/memory${PARENT}/memory.limit_in_bytes`, String(32 * MiB));
    writeFileSync(`${CGROUPFS}/pids${PARENT}/pids.max`, '8');
    try {
      const started = await startContainer(name, { HostConfig: { CgroupParent: PARENT, Memory: 64 * MiB } }, client);
      await openRoute(ui, `#/container/${started.id}/resources`);
      const limits = ui.getByTestId('effective-limits');
      await expect(limits).toBeVisible({ timeout: 10_000 });
      const memory = limits.locator('[data-limit="Memory"]');
      await expect(memory.locator('td').first()).toHaveText('32.0 MiB');
      await expect(memory).toContainText(`set by the ancestor ${PARENT} (its own: 64.0 MiB)`);
      const processes = limits.locator('[data-limit="Processes"]');
      await expect(processes.locator('td').first()).toHaveText('8');
      await expect(processes).toContainText(`set by the ancestor ${PARENT} (none of its own)`);
      await expect(limits.locator('[data-limit="CPU"]')).toContainText('no limit at any level');
      await expect(ui.getByTestId('gauge-memory')).toContainText('of 32.0 MiB');
      // Fork until the parent's limit refuses: the live row counts it within a sample or two.
      await execIn(started.id, ['sh', '-c', 'while :; do sleep 600 & done'], client);
      await expect(ui.getByTestId('limit-hits')).toContainText(/forks refused at the process limit [1-9]/, { timeout: 10_000 });
      await shot('detail-resources-effective-limits');
    } finally {
      await client.getContainer(name).remove({ force: true }).catch(() => undefined);
      await removeCgroupParent(PARENT);
    }
  });
});
