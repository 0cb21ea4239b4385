// `npm run bench:ui [-- --rows 1000 --runs 7]`: the containers table on the fixture's 1,000 rows in Chromium — first
// screen, sort, filter (click or keystroke to the next painted frame) and long tasks while scrolling — against the same
// page doing nothing but paint a frame (the floor), same run. The fixture is built minified with React's production
// build and served under the app's CSP, as `isolens serve` serves the real UI. `--profile` then sorts a few more times
// under a Chromium performance trace and a CPU profile (unminified build, so functions keep their names) and prints where
// a sort's time goes: script by function, style, layout and paint.
import { chromium, type Page } from '@playwright/test';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startCspServer } from '../renderer/dev/dev-server.js';
import { freePort } from '../e2e/harness/ports.js';
import { timeToNextFrame, type TimedAction } from '../e2e/harness/next-frame.js';
import { median } from './median.js';
import { selfTimes, topLines, type CpuProfile } from './profile-summary.js';
import { longTasks, mainThreadSelfTimes } from './trace-summary.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000' }, runs: { type: 'string', default: '7' }, profile: { type: 'boolean', default: false } } });
const rows = Number(values.rows);
const runs = Number(values.runs);

/** Name and grade in turn: a third click on one header would remove its sort. */
const sortBy = (i: number): TimedAction => ({ kind: 'sort', column: i % 2 ? 'grade' : 'name' });

const PROFILED_SORTS = 6;

/**
 * Run the action under a performance trace and a CPU profile of the page: the trace, the main thread's self times and
 * CPU, and the script's self times without idle and program.
 */
async function underProfile(page: Page, action: () => Promise<void>) {
  const browser = page.context().browser()!;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing'] });
  await cdp.send('Profiler.start');
  await action();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
  const { self, cpuUs } = mainThreadSelfTimes(trace);
  const script = selfTimes(profile);
  script.functions.delete('(idle) ');
  script.functions.delete('(program) ');
  return { trace, self, cpuUs, script };
}

/** Sorts under a performance trace and a CPU profile; the top lines of each, per sort. */
async function profileSorts(page: Page): Promise<{ trace: string[]; script: string[] }> {
  let wall = 0;
  const { self, cpuUs, script } = await underProfile(page, async () => {
    for (let i = 0; i < PROFILED_SORTS; i++) wall += await timeToNextFrame(page, sortBy(i));
  });
  const per = (us: number) => `${(us / 1000 / PROFILED_SORTS).toFixed(1)} ms`;
  return {
    // Thread time, not wall time: on a shared machine it is the figure that compares between runs.
    trace: [`wall ${per(wall * 1000)}, main thread CPU ${per(cpuUs)} per sort (shares below are of the CPU time)`, ...topLines(self, cpuUs, 10, PROFILED_SORTS)],
    script: topLines(script.functions, cpuUs, 15, PROFILED_SORTS),
  };
}

/** Long tasks (> 50 ms) while the list is scrolled end to end in 60 steps with 1 Hz stats arriving. */
function scrollEndToEnd(page: Page): Promise<{ meanFrameMs: number; longTasks: number; longestMs: number }> {
  return page.getByTestId('containers-table').evaluate(async (el) => {
    const long: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) long.push(entry.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
    const started = performance.now();
    for (let step = 0; step <= 60; step++) {
      el.scrollTop = (el.scrollHeight * step) / 60;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    observer.disconnect();
    return { meanFrameMs: (performance.now() - started) / 122, longTasks: long.length, longestMs: long.length ? Math.max(...long) : 0 };
  });
}

/** The same scroll under a performance trace and a CPU profile: what each long task is, and the script in all of them. */
async function profileScroll(page: Page): Promise<{ tasks: string[]; script: string[]; trace: string[] }> {
  await page.getByTestId('containers-table').evaluate((el) => (el.scrollTop = 0));
  const { trace, self, cpuUs, script } = await underProfile(page, async () => {
    await scrollEndToEnd(page);
  });
  return { tasks: longTasks(trace), trace: [`main thread CPU ${(cpuUs / 1000).toFixed(0)} ms over the scroll`, ...topLines(self, cpuUs, 10)], script: topLines(script.functions, cpuUs, 15) };
}

async function main(): Promise<void> {
  // The fixture built once, minified, with React's production build, served with the app's CSP.
  const dev = await startCspServer(await freePort(), resolve(values.profile ? '.isolens-tmp/renderer-bench-profile' : '.isolens-tmp/renderer-bench'), { reactProduction: true, minify: !values.profile });
  const browser = await chromium.launch({ executablePath: process.env.ISOLENS_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    // Warm-up, not counted.
    const warm = await browser.newPage();
    warm.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    warm.on('console', (message) => message.type() === 'error' && console.error(`console: ${message.text()}`));
    await warm.goto(`${dev.url}?fixture=1&rows=${rows}#/containers`);
    await warm.getByTestId('container-row').first().waitFor({ timeout: 180_000 });
    await warm.close();
    const firstScreen: number[] = [];
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const started = Date.now();
      await page.goto(`${dev.url}?fixture=1&rows=${rows}#/containers`);
      await page.getByTestId('container-row').first().waitFor();
      firstScreen.push(Date.now() - started);
      await page.close();
    }
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${dev.url}?fixture=1&rows=${rows}#/containers`);
    await page.getByTestId('container-row').first().waitFor();
    const shown = await page.getByTestId('row-count').textContent();
    const floor: number[] = [];
    const sort: number[] = [];
    const filter: number[] = [];
    for (let i = 0; i < runs; i++) {
      floor.push(await timeToNextFrame(page, { kind: 'none' }));
      sort.push(await timeToNextFrame(page, sortBy(i)));
      filter.push(await timeToNextFrame(page, { kind: 'filter', text: 'web' }));
      await timeToNextFrame(page, { kind: 'filter', text: '' });
    }
    const scroll = await scrollEndToEnd(page);
    if (values.profile) console.error(`profiling ${PROFILED_SORTS} sorts…`);
    const profile = values.profile ? await profileSorts(page) : null;
    const scrollProfile = values.profile ? await profileScroll(page) : null;
    await page.close();
    console.log(`\n${rows} fixture rows (${shown?.trim()}), median of ${runs} (first screen: ${Math.min(runs, 3)}); React production build, minified\n`);
    const line = (label: string, ms: number, note = '') => console.log(`${label.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms  ${note}`);
    line('first screen (navigation to the first row)', median(firstScreen), '(target ≤ 1000 ms at 500)');
    line('a frame with nothing to do (floor)', median(floor));
    line('sort (click a column header → next frame)', median(sort), `(target ≤ 50 ms; ${(median(sort) / median(floor)).toFixed(1)}× the floor)`);
    line('filter (type "web" in search → next frame)', median(filter), `(target ≤ 50 ms; ${(median(filter) / median(floor)).toFixed(1)}× the floor)`);
    line('scroll end to end, mean frame', scroll.meanFrameMs, `long tasks: ${scroll.longTasks}${scroll.longTasks ? `, longest ${scroll.longestMs.toFixed(0)} ms` : ''}`);
    if (profile) {
      console.log(`\nprofile of ${PROFILED_SORTS} sorts (unminified build), per sort:`);
      console.log('main thread by trace event (self thread time):');
      for (const l of profile.trace) console.log(`  ${l}`);
      console.log('script by function (self time, sampled; "(program)" — Blink outside script — left out):');
      for (const l of profile.script) console.log(`  ${l}`);
    }
    if (scrollProfile) {
      console.log(`\nprofile of the scroll (unminified build): long tasks`);
      for (const l of scrollProfile.tasks) console.log(`  ${l}`);
      console.log('main thread by trace event (self thread time):');
      for (const l of scrollProfile.trace) console.log(`  ${l}`);
      console.log('script by function (self time, sampled):');
      for (const l of scrollProfile.script) console.log(`  ${l}`);
    }
  } finally {
    await browser.close();
    dev.server.close();
  }
}

await main();
