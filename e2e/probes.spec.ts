/// <reference lib="dom" />
// The Probes tab end to end on real containers: Run all beside the predictions, a finding's "Try it", and `serve --read-only`.
import type { Page } from '@playwright/test';
import { test, expect, openRoute } from './fixtures.js';
import { startServe } from './harness/serve.js';

const row = (ui: Page, probe: string) => ui.locator(`[data-testid="container-probe"][data-probe="${probe}"]`);

test.describe('probes', () => {
  test('Run all on the risky container: every probe answers, each beside its predicted verdict, and the prediction holds', async ({ ui, containers, shot }) => {
    test.setTimeout(120_000);
    await openRoute(ui, `#/container/${containers.risky.id}/probes`);
    await expect(ui.getByTestId('probes-panel')).toBeVisible();
    // The panel shows before the catalogue has arrived ("Loading the probes…"): wait for its rows, not for a moment.
    const rows = ui.getByTestId('container-probe');
    await expect.poll(() => rows.count()).toBeGreaterThan(8);
    // Destructive probes (fork, allocate) never run on a user's container.
    await expect(row(ui, 'fork-past-pids-limit')).toHaveCount(0);
    await expect(row(ui, 'see-host-processes')).toHaveAttribute('data-predicted', 'allowed');
    await ui.getByTestId('probes-run-all').click();
    await expect(ui.locator('[data-testid="container-probe"][data-outcome=""]')).toHaveCount(0, { timeout: 90_000 });
    await expect(ui.getByTestId('probes-run-all')).toBeEnabled();
    // Risky holds CAP_SYS_ADMIN with seccomp off, the host's PID namespace and the engine socket: predicted and observed allowed.
    for (const probe of ['mount-tmpfs', 'see-host-processes', 'reach-engine-socket']) {
      await expect(row(ui, probe), probe).toHaveAttribute('data-outcome', 'allowed');
      await expect(row(ui, probe), probe).toHaveAttribute('data-predicted', 'allowed');
      await expect(row(ui, probe), probe).toHaveAttribute('data-prediction-differs', 'false');
    }
    // Every prediction holds on the risky container: a row where the probe disagrees would say '≠ observed'.
    const differing = await ui.locator('[data-testid="container-probe"][data-prediction-differs="true"]').evaluateAll((found) => found.map((r) => r.getAttribute('data-probe')));
    expect(differing, 'probes whose observation differs from the prediction').toEqual([]);
    await expect(ui.getByTestId('probe-predicted').filter({ hasText: '≠ observed' })).toHaveCount(0);
    // chmod is allowed for any file's owner: grey, not alarm red.
    await expect(row(ui, 'chmod-file')).toHaveAttribute('data-outcome', 'allowed');
    await expect(row(ui, 'chmod-file').getByTestId('probe-observed').locator('.outcome-harmless')).toHaveCount(1);
    await expect(row(ui, 'mount-tmpfs').getByTestId('probe-observed').locator('.outcome-allowed')).toHaveCount(1);
    await shot('probes-risky');
  });

  test('"Try it" on a finding runs the probe that tests it; the Probes tab shows the same answer', async ({ ui, containers, shot }) => {
    await openRoute(ui, `#/container/${containers.hardened.id}/findings`);
    await openRoute(ui, `#/container/${containers.risky.id}/findings`);
    const card = ui.locator('[data-testid="finding"][data-rule="namespaces/host-pid"]');
    const tryIt = card.locator('[data-testid="try-it-probe"][data-probe="see-host-processes"]');
    await expect(tryIt).toBeVisible();
    await tryIt.getByTestId('try-it-run').click();
    await expect(tryIt).toHaveAttribute('data-outcome', 'allowed', { timeout: 30_000 });
    await expect(tryIt).toContainText('allowed');
    await card.scrollIntoViewIfNeeded();
    await shot('finding-try-it');
    // The capability card offers its capabilities' probes each under its own, and one link to all probes.
    const capabilityCard = ui.getByTestId('finding-group');
    await expect(capabilityCard.getByTestId('try-it-probe').nth(1)).toBeVisible();
    await expect(capabilityCard.getByTestId('try-it-all')).toHaveCount(1);
    await capabilityCard.scrollIntoViewIfNeeded();
    await shot('capability-card-try-it');
    await ui.getByTestId('tab-probes').click();
    await expect(row(ui, 'see-host-processes')).toHaveAttribute('data-outcome', 'allowed');
    // A card whose finding no probe tests offers no button.
    await ui.getByTestId('tab-findings').click();
    await expect(ui.locator('[data-testid="finding"][data-rule="runtime/no-healthcheck"] [data-testid="try-it"]')).toHaveCount(0);
  });

  test('serve --read-only: the Probes tab and the lab say why nothing runs instead of offering dead buttons', async ({ page, containers, shot }) => {
    const readOnly = await startServe(['--read-only']);
    try {
      await page.goto(readOnly.url);
      await openRoute(page, `#/container/${containers.risky.id}/probes`);
      await expect(page.getByTestId('probes-blocked')).toContainText('read-only');
      await expect(page.getByTestId('probes-run-all')).toBeDisabled();
      await expect(page.getByTestId('container-probe-run').first()).toBeDisabled();
      await openRoute(page, `#/container/${containers.risky.id}/findings`);
      await expect(page.locator('[data-testid="try-it-run"]').first()).toBeDisabled();
      await page.getByTestId('nav-lab').click();
      await expect(page.getByTestId('lab-unavailable')).toContainText('read-only');
      await expect(page.getByTestId('lab-run')).toBeDisabled();
      await page.screenshot({ path: 'e2e/screenshots/chromium-lab-read-only.png' });
    } finally {
      await readOnly.stop();
    }
    void shot;
  });
});
