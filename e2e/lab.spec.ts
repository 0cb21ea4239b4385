/// <reference lib="dom" />
// The hardening lab end to end: compare two real containers, the Fix tab's hardened command, and a lab run whose probe flips.
import type { Page } from '@playwright/test';
import { test, expect, openRoute, E2E_PREFIX } from './fixtures.js';
import { testClient } from './harness/engine.js';

const LAB_IMAGE = 'isolens-test/busybox:latest';
/** What the demo promises: toggle, click run, see the flip, in under five seconds. */
const DEMO_TARGET_MS = 5000;

const probe = (ui: Page, id: string) => ui.locator(`[data-testid="probe-row"][data-probe="${id}"]`);

test.describe('compare', () => {
  test('two containers side by side: changed facts, findings by side, the score delta', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/compare/${containers.risky.id}/${containers.hardened.id}`);
    await expect(ui.getByTestId('compare-view')).toBeVisible();
    const pidRow = ui.locator('[data-testid="diff-row"][data-fact="namespaces.pid.sharedWithHost"]');
    await expect(pidRow).toHaveAttribute('data-changed', 'true');
    // The hardened side (B) keeps its own pid namespace: B isolates better on that row.
    await expect(pidRow).toHaveAttribute('data-better', 'b');
    const changed = await ui.locator('[data-testid="diff-row"][data-changed="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-fact')));
    expect(changed).toEqual(expect.arrayContaining(['namespaces.pid.sharedWithHost', 'capabilities.effective', 'seccomp.profile']));
    // Risky (A) scores lower than hardened (B): the delta is B − A, positive.
    const delta = Number(await ui.getByTestId('score-delta').getAttribute('data-delta'));
    expect(delta).toBeGreaterThan(0);
    await expect(ui.getByTestId('score-delta')).toContainText(`+${delta}`);
    await expect(ui.getByTestId('findings-only-a').locator('[data-rule="namespaces/host-pid"]')).toBeVisible();
    await shot('compare');
  });

  test('facts in words and units, a legend for A and B, the Better column on one line, no overflow at 1024 px', async ({ ui, containers, shot }) => {
    await ui.setViewportSize({ width: 1024, height: 700 });
    await openRoute(ui, `#/compare/${containers.risky.id}/${containers.hardened.id}`);
    const memory = ui.locator('[data-testid="diff-row"][data-fact="cgroup.memoryLimitBytes"]');
    await expect(memory.locator('th')).toContainText('Memory limit');
    await expect(memory.locator('td').nth(0)).toHaveText('no limit');
    await expect(memory.locator('td').nth(1)).toHaveText('64 MiB');
    await expect(memory.locator('td').nth(2)).toHaveText('B isolates better');
    await expect(ui.getByTestId('compare-legend')).toContainText(`A is ${containers.risky.name}, B is ${containers.hardened.name}`);
    await expect(ui.locator('[data-testid="diff-row"][data-fact="namespaces.pid.mode"] td').nth(1)).toHaveText('engine default');
    // Nothing runs off the right edge, and no "Better" cell wraps.
    const layout = await ui.evaluate(() => {
      const table = document.querySelector('[data-testid="diff-table"]')!.getBoundingClientRect();
      const cards = [...document.querySelectorAll('.compare-findings')].map((card) => card.getBoundingClientRect().right);
      const verdicts = [...document.querySelectorAll('.diff-table td.diff-verdict')].filter((cell) => cell.textContent !== '');
      const lineHeight = parseFloat(getComputedStyle(verdicts[0]!).lineHeight) || 20;
      return {
        viewport: document.documentElement.clientWidth,
        pageScroll: document.documentElement.scrollWidth,
        tableRight: table.right,
        cardsRight: Math.max(...cards),
        wrapped: verdicts.filter((cell) => cell.scrollWidth > cell.clientWidth || (cell.firstElementChild as HTMLElement).getBoundingClientRect().height > lineHeight * 1.5).length,
        verdicts: verdicts.length,
      };
    });
    expect(layout.verdicts).toBeGreaterThan(0);
    expect(layout.wrapped).toBe(0);
    expect(layout.pageScroll).toBeLessThanOrEqual(layout.viewport);
    expect(layout.tableRight).toBeLessThanOrEqual(layout.viewport);
    expect(layout.cardsRight).toBeLessThanOrEqual(layout.viewport);
    await shot('compare-1024');
    await memory.scrollIntoViewIfNeeded();
    await ui.screenshot({ path: 'e2e/screenshots/chromium-compare-1024-table.png' });
  });

  test('reached from the table by ticking two rows, and from a drill-down', async ({ ui, containers }) => {
    await ui.getByTestId('nav-containers').click();
    await ui.getByTestId('table-search').fill(E2E_PREFIX);
    const row = (name: string) => ui.locator(`[data-testid="container-row"][data-name="${name}"]`);
    await expect(ui.getByTestId('compare-selected')).toBeDisabled();
    await row(containers.risky.name).getByTestId('compare-select').check();
    await row(containers.hardened.name).getByTestId('compare-select').check();
    // A third row cannot join a two-way comparison.
    await expect(row(containers.ordinary.name).getByTestId('compare-select')).toBeDisabled();
    await ui.getByTestId('compare-selected').click();
    await expect(ui.getByTestId('compare-view')).toBeVisible();
    expect(new URL(ui.url()).hash).toBe(`#/compare/${containers.risky.id}/${containers.hardened.id}`);
    await expect(ui.locator('[data-testid="diff-row"][data-fact="namespaces.pid.sharedWithHost"]')).toHaveAttribute('data-changed', 'true');

    await openRoute(ui, `#/container/${containers.ordinary.id}/findings`);
    await ui.getByTestId('compare-with').selectOption(containers.hardened.id);
    await expect(ui.getByTestId('compare-view')).toBeVisible();
    expect(new URL(ui.url()).hash).toBe(`#/compare/${containers.ordinary.id}/${containers.hardened.id}`);
    await expect(ui.getByTestId('score-delta')).toBeVisible();
  });
});

test.describe('fix', () => {
  test('the risky container\'s Fix tab: the hardened docker run command, the compose service and why each flag', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/container/${containers.risky.id}/findings`);
    await ui.getByTestId('tab-fix').click();
    const command = ui.getByTestId('fix-command');
    await expect(command).toContainText('--cap-drop ALL');
    await expect(command).toContainText('--security-opt no-new-privileges');
    await expect(command).toContainText(LAB_IMAGE);
    await expect(ui.getByTestId('fix-compose')).toContainText('cap_drop');
    const capDrop = ui.locator('[data-testid="fix-flag"][data-flag="--cap-drop ALL"]');
    await expect(capDrop).toContainText('capabilities/sys-admin');
    await expect(ui.locator('[data-testid="fix-flag"]', { hasText: 'namespaces/host-pid' })).toBeVisible();
    await shot('fix');

    // The probes moved to their own tab; the Fix tab points there.
    await expect(ui.getByTestId('container-probe')).toHaveCount(0);
    await expect(ui.getByRole('link', { name: 'run the probes' })).toHaveAttribute('href', `#/container/${containers.risky.id}/probes`);
  });
});

test.describe('lab', () => {
  test('toggle --cap-drop ALL, run, and the device-node probe flips to blocked; closing removes the lab containers', async ({ ui, shot }) => {
    test.setTimeout(120_000);
    await ui.getByTestId('nav-lab').click();
    await expect(ui.getByTestId('lab-view')).toBeVisible();
    await expect(ui.getByTestId('lab-image').locator(`option[value="${LAB_IMAGE}"]`)).toHaveCount(1);
    await ui.getByTestId('lab-image').selectOption(LAB_IMAGE);

    const runAndTime = async (label: string): Promise<{ name: string; elapsedMs: number }> => {
      // getAttribute would wait for a result that is not there yet: count first.
      const before = (await ui.getByTestId('lab-result').count()) > 0 ? await ui.getByTestId('lab-result').getAttribute('data-container') : null;
      const started = Date.now();
      await ui.getByTestId('lab-run').click();
      const result = ui.getByTestId('lab-result');
      await expect(result).toBeVisible({ timeout: 60_000 });
      await expect(result).not.toHaveAttribute('data-container', before ?? '');
      const elapsedMs = Date.now() - started;
      test.info().annotations.push({ type: 'lab click-to-result', description: `${label}: ${elapsedMs} ms (demo target < ${DEMO_TARGET_MS} ms; the UI measured ${await ui.getByTestId('lab-elapsed').getAttribute('data-ms')} ms)` });
      return { name: (await result.getAttribute('data-container')) ?? '', elapsedMs };
    };

    // Defaults: the engine's default capabilities lack SYS_ADMIN but include MKNOD.
    const first = await runAndTime('defaults');
    await expect(probe(ui, 'mount-tmpfs')).toHaveAttribute('data-outcome', 'blocked');
    await expect(probe(ui, 'create-device-node')).toHaveAttribute('data-outcome', 'allowed');
    await expect(probe(ui, 'create-device-node')).toHaveAttribute('data-previous-outcome', '');
    await expect(ui.getByTestId('lab-grade')).toHaveAttribute('data-grade', /^[A-F]$/);
    // The headline leads with the probes; a first run has nothing to compare with.
    await expect(ui.getByTestId('lab-headline')).toContainText(/Probes blocked \d+\/\d+/);
    await expect(ui.getByTestId('lab-headline')).toHaveAttribute('data-delta', '');
    await expect(ui.locator('[data-testid="lab-left-item"][data-probe="create-device-node"]')).toContainText('--cap-drop MKNOD');
    // The operation's predicted verdict stands beside what the probe observed.
    await expect(probe(ui, 'create-device-node')).toHaveAttribute('data-predicted', 'allowed');
    await expect(probe(ui, 'mount-tmpfs')).toHaveAttribute('data-predicted', 'blocked');
    // Continuation lines joined, the command is the bare run of the image: no toggle is on.
    expect((await ui.getByTestId('lab-docker-run').textContent())!.replace(/ \\\n\s*/g, ' ')).toBe(`docker run -d ${LAB_IMAGE}`);
    // No A/B wording where there is no B.
    await expect(ui.getByTestId('lab-result')).not.toContainText(/\b[AB] isolates better/);
    const blockedFirst = Number(await ui.getByTestId('lab-headline').getAttribute('data-blocked'));
    await shot('lab-first-run');

    await ui.getByTestId('lab-toggle-dropAllCapabilities').check();
    const second = await runAndTime('--cap-drop ALL');
    expect(second.name).not.toBe(first.name);
    await expect(probe(ui, 'create-device-node')).toHaveAttribute('data-outcome', 'blocked');
    await expect(probe(ui, 'create-device-node')).toHaveAttribute('data-previous-outcome', 'allowed');
    await expect(probe(ui, 'create-device-node')).toContainText('EPERM');
    await expect(probe(ui, 'mount-tmpfs')).toHaveAttribute('data-outcome', 'blocked');
    await expect(ui.getByTestId('lab-grade')).toHaveAttribute('data-grade', /^[A-F]$/);
    await expect(ui.getByTestId('lab-score-delta')).toBeVisible();
    // What changed leads: more probes blocked than before, by exactly the difference in the counts.
    const headline = ui.getByTestId('lab-headline');
    const blockedSecond = Number(await headline.getAttribute('data-blocked'));
    expect(blockedSecond).toBeGreaterThan(blockedFirst);
    await expect(headline).toHaveAttribute('data-delta', String(blockedSecond - blockedFirst));
    await expect(ui.getByTestId('lab-blocked-delta')).toContainText(`+${blockedSecond - blockedFirst}`);
    await expect(ui.locator('[data-testid="lab-left-item"][data-probe="create-device-node"]')).toHaveCount(0);
    await expect(probe(ui, 'create-device-node')).toHaveAttribute('data-predicted', 'blocked');
    await expect(ui.getByTestId('lab-docker-run')).toContainText('--cap-drop ALL');
    // The harmless chmod probe stays allowed and is not shown in alarm red.
    await expect(probe(ui, 'chmod-file')).toHaveAttribute('data-outcome', 'allowed');
    await expect(probe(ui, 'chmod-file').getByTestId('probe-observed').locator('.outcome-harmless')).toHaveCount(1);
    await expect(ui.locator('.lab-diff')).toContainText('this run isolates better');
    // The line the demo reads aloud.
    await expect(probe(ui, 'mount-tmpfs')).toContainText('blocked (EPERM)');
    await expect(probe(ui, 'mount-tmpfs')).toContainText('CAP_SYS_ADMIN dropped');
    // The click-to-result time is recorded above as an annotation, never asserted: speed belongs to benchmarks, and a
    // loaded CI machine must not fail a behaviour test.
    await shot('lab-second-run');

    // The session's label, read from the engine, identifies exactly this lab's containers (other labs may run in parallel).
    const client = testClient();
    const session = (await client.getContainer(second.name).inspect()).Config.Labels['io.isolens.lab-session'];
    expect(session).toMatch(/^[a-f0-9]+$/);
    await ui.getByTestId('lab-close').click();
    await expect(ui.getByTestId('lab-closed')).toContainText('removed');
    await expect(ui.getByTestId('lab-result')).toHaveCount(0);
    const remaining = await client.listContainers({ all: true, filters: { label: ['io.isolens.owner=lab', `io.isolens.lab-session=${session}`] } });
    expect(remaining.map((c) => c.Names)).toEqual([]);
    await shot('lab-closed');
    // A closed lab starts over: the next run is a first run, compared with nothing.
    await ui.getByTestId('lab-run').click();
    await expect(ui.getByTestId('lab-headline')).toHaveAttribute('data-delta', '', { timeout: 60_000 });
    await expect(probe(ui, 'create-device-node')).toHaveAttribute('data-previous-outcome', '');
    await ui.getByTestId('lab-close').click();
    await expect(ui.getByTestId('lab-closed')).toContainText('removed');
  });
});
