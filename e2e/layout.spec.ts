/// <reference lib="dom" />
// The table's live cells and the shell at the sizes reviewers use (1024×700, 1920×1080), and the HOST MOUNT flag, on real containers.
import { test, expect, openRoute, E2E_PREFIX } from './fixtures.js';
import { startContainer, testClient } from './harness/engine.js';
import { everyScreen } from './harness/screens.js';

const row = (ui: import('@playwright/test').Page, name: string) => ui.locator(`[data-testid="container-row"][data-name="${name}"]`);

test.describe('layout', () => {
  test('at 1024×700 the top bar stays one line, CPU and Memory stay on screen and their values are not clipped', async ({ ui, containers, shot }) => {
    await ui.setViewportSize({ width: 1024, height: 700 });
    await openRoute(ui, `#/containers?q=${E2E_PREFIX}`);
    await expect(row(ui, containers.risky.name)).toBeVisible();
    // Live values arrive once a second: wait for a value in every row, not for a time.
    await expect(ui.locator('.cell-cpu .metric-value', { hasText: '%' })).toHaveCount(await ui.getByTestId('container-row').count(), { timeout: 15_000 });
    const layout = await ui.evaluate(() => {
      const bar = document.querySelector('.topbar')!;
      const children = [...bar.children].map((child) => child.getBoundingClientRect());
      const header = (text: string) => [...document.querySelectorAll('.grid-header [role="columnheader"], .grid-header .cell')].find((cell) => cell.textContent?.trim().startsWith(text))?.getBoundingClientRect();
      const clipped = [...document.querySelectorAll('.cell-cpu, .cell-memory')].filter((cell) => cell.scrollWidth > cell.clientWidth + 1).length;
      return {
        viewport: document.documentElement.clientWidth,
        barHeight: bar.getBoundingClientRect().height,
        barTops: children.map((r) => Math.round(r.top + r.height / 2)),
        cpuRight: header('CPU')?.right ?? Infinity,
        memoryRight: header('Memory')?.right ?? Infinity,
        clipped,
        cells: document.querySelectorAll('.cell-cpu').length,
      };
    });
    // One line: every item of the bar on the same centre line, the bar no taller than one line of it.
    expect(new Set(layout.barTops).size, `top bar item centres ${layout.barTops.join(', ')}`).toBe(1);
    expect(layout.barHeight).toBeLessThan(48);
    expect(layout.cpuRight).toBeLessThanOrEqual(layout.viewport);
    expect(layout.memoryRight).toBeLessThanOrEqual(layout.viewport);
    expect(layout.cells).toBeGreaterThan(0);
    expect(layout.clipped).toBe(0);
    await shot('containers-1024');
  });

  test('at 1024×700 the riskiest row shows its worst two flags and the "+N" count whole, beside CPU and Memory', async ({ ui, containers }) => {
    await ui.setViewportSize({ width: 1024, height: 700 });
    await openRoute(ui, `#/containers?q=${E2E_PREFIX}`);
    const flags = row(ui, containers.risky.name).locator('.cell-flags');
    await expect(flags.getByTestId('flags-more')).toBeVisible();
    const cell = await flags.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const left = box.left + parseFloat(style.paddingLeft);
      const right = box.right - parseFloat(style.paddingRight);
      return [...el.querySelectorAll('.flag')].map((chip) => {
        const r = chip.getBoundingClientRect();
        // Inside the cell's content box, and its own text not cut (no ellipsis: the label fits its chip).
        const texts = [...chip.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
        // The label's own laid-out width (an ellipsis is painted over it, so it stays the full width): scrollWidth
        // rounds to whole pixels and misses a chip squeezed by a fraction, which already ends it in "…".
        const range = document.createRange();
        range.setStartBefore(texts[0]!);
        range.setEndAfter(texts.at(-1)!);
        const chipStyle = getComputedStyle(chip);
        const room = r.width - ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth'].reduce((sum, side) => sum + parseFloat(chipStyle[side as 'paddingLeft']), 0);
        const textWidth = range.getBoundingClientRect().width;
        return { text: texts.map((node) => node.textContent).join('').trim(), inside: r.left >= left - 0.5 && r.right <= right + 0.5, whole: textWidth <= room + 0.01, width: Math.round(r.width), textWidth: Math.round(textWidth * 10) / 10, room: Math.round(room * 10) / 10 };
      });
    });
    const described = cell.map((c) => `${c.text} ${c.width} px${c.inside ? '' : ' outside the cell'}${c.whole ? '' : ` cut (text ${c.textWidth} px in ${c.room} px)`}`).join(', ');
    expect(cell.length, described).toBe(3);
    expect(cell.at(-1)!.text, described).toMatch(/^\+\d+$/);
    expect(cell.filter((c) => !c.inside || !c.whole), described).toEqual([]);
    // The flags gained their width from Name and Grade, not from the live columns: Memory still ends on screen.
    const memoryRight = await ui.locator('.grid-header [role="columnheader"]', { hasText: 'Memory' }).evaluate((el) => el.getBoundingClientRect().right);
    const gridRight = await ui.getByTestId('containers-table').evaluate((el) => el.getBoundingClientRect().right);
    expect(memoryRight).toBeLessThanOrEqual(gridRight);
  });

  test('the table\'s sparklines start from the stats history, not empty', async ({ ui, containers, context, serve }) => {
    // The first page's sparkline shows the host has samples to give.
    await openRoute(ui, `#/containers?q=${E2E_PREFIX}`);
    const points = (page: import('@playwright/test').Page) =>
      row(page, containers.ordinary.name).locator('.cell-cpu svg.spark').evaluate((line) => Number(line.getAttribute('data-points') ?? 0));
    await expect.poll(() => points(ui).catch(() => 0), { timeout: 20_000 }).toBeGreaterThanOrEqual(6);
    // A page opened now draws more points than the seconds it has been open: they came from the history.
    const fresh = await context.newPage();
    await fresh.goto(serve.url);
    await openRoute(fresh, `#/containers?q=${E2E_PREFIX}`);
    await expect(row(fresh, containers.ordinary.name).locator('.cell-cpu svg.spark')).toHaveCount(1);
    const drawn = await points(fresh);
    const openSeconds = await fresh.evaluate(() => performance.now() / 1000);
    test.info().annotations.push({ type: 'sparkline seeded', description: `${drawn} points ${openSeconds.toFixed(1)} s after the page opened` });
    expect(drawn).toBeGreaterThan(Math.ceil(openSeconds) + 1);
    await fresh.close();
  });

  test('a writable host-root mount is flagged HOST MOUNT in the table, as critical as the engine socket', async ({ ui }) => {
    const name = `${E2E_PREFIX}host-mount`;
    // A real writable bind of a host-root path; the container only sleeps and is removed at the end.
    const started = await startContainer(name, { HostConfig: { Binds: ['/etc/profile.d:/host-profile.d'] } });
    try {
      await openRoute(ui, `#/containers?q=${name}`);
      const flag = row(ui, name).locator('[data-flag="host-mount"]');
      await expect(flag).toBeVisible({ timeout: 15_000 });
      await expect(flag).toContainText('HOST MOUNT /etc/profile.d');
      await expect(flag).toHaveAttribute('data-severity', 'critical');
      // The flag filter finds it.
      await openRoute(ui, '#/containers?flag=host-mount');
      await expect(row(ui, name)).toBeVisible();
    } finally {
      await testClient().getContainer(started.id).remove({ force: true });
    }
  });

  for (const [width, height] of [[1024, 700], [1920, 1080]] as const) {
    test(`every screen at ${width}×${height}: no horizontal overflow of the page`, async ({ ui, containers }) => {
      await ui.setViewportSize({ width, height });
      const screens = everyScreen(containers, E2E_PREFIX);
      const overflowing: string[] = [];
      for (const [screen, hash, ready] of screens) {
        await openRoute(ui, hash);
        await expect(ui.getByTestId(ready).first()).toBeVisible();
        const overflow = await ui.evaluate(() => {
          const main = document.querySelector('main.content') ?? document.documentElement;
          return Math.max(document.documentElement.scrollWidth - document.documentElement.clientWidth, main.scrollWidth - main.clientWidth);
        });
        if (overflow > 1) overflowing.push(`${screen}: ${overflow} px`);
        await ui.screenshot({ path: `e2e/screenshots/chromium-${width}-${screen}.png` });
      }
      expect(overflowing).toEqual([]);
    });
  }
});
