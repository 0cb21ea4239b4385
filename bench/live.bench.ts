// `npm run bench:live -- --containers 500`: the live dashboard's cost and latency against `docker stats`' engine cost, same run.
//
// Starts N labelled containers (removed at the end, whatever happens), then measures, each over the same window:
//   - the engine at rest (dockerd, containerd, shims), then the extra CPU `docker stats` costs it (CLI included);
//   - every subject in SUBJECTS (serve today; the exporter adds its own), each with the engine's extra CPU while it runs;
//     serve without a client, then with the UI open in Chromium (first-screen time, CPU, RSS), then the
//     start-to-visible latency of newly started containers (p95) and stop-to-gone;
// and prints each figure with the ratio against `docker stats`. The machine's load average is printed with the figures:
// on a shared machine they are only comparable within one run.
//
// The UI is opened once the engine and serve are quiet (settle(): a user opens the dashboard on a server whose
// containers already run), and the first screen is timed from page.goto to the page reporting its first row painted.
//
// With the UI open it also reports the sample rate the UI receives (its WebSocket frames): for the rows it declared
// visible (setVisibleContainers) and for the rest, per container per second and the gap between two consecutive samples
// of one container; then the same for a plain WebSocket client that declares nothing (everything at 1 Hz).
//
// Options: --containers N (500) --seconds S per window (30) --late L new containers for latency (20)
//          --profile DIR (serve runs with --cpu-prof into DIR) --no-build (use dist/ as it is)
//          --memory (serve runs with --inspect on loopback; each serve row adds process.memoryUsage() and the V8 spaces)
//          --keep (containers already running under the bench's names are used, and left running at the end)
//          --subjects serve,exporter (which subjects run; all by default)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { chromium, type Browser, type Page } from '@playwright/test';
import { ensureTestImage, testClient } from '../e2e/harness/engine.js';
import { benchContainers, type BenchContainers } from './containers.js';
import { exporterSubject } from './exporter.subject.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { until } from '../e2e/harness/until.js';
import WebSocket from 'ws';
import { StatsArrivals, describeRate, percentile, visibleThroughout } from './live-rate.js';
import { describeMemory, inspector, inspectorUrlIn, memoryOf, type InspectorSession } from './inspector.js';
import { VIEWER_TTL_MS } from '../app/model/viewers.js';

const { values } = parseArgs({
  options: {
    containers: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    late: { type: 'string', default: '20' },
    profile: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    subjects: { type: 'string' },
  },
});
const COUNT = Number(values.containers);
const WINDOW_S = Number(values.seconds);
const LATE = Number(values.late);
const PREFIX = 'isolens-bench-live-';
const LATE_PREFIX = `${PREFIX}late-`;
/** The bench's containers, labelled io.isolens.owner=bench and removed on every way out (bench/containers.ts). */
let containers: BenchContainers;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = resolve(ROOT, 'bin/isolens.js');
const CLOCK_TICKS = 100; // USER_HZ on Linux

// ---- measuring processes from /proc ------------------------------------------------------------------------------

/** utime + stime (+ reaped children's) of a process, in seconds; 0 for a vanished one. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11..14] = utime stime cutime cstime (fields 14–17 of proc(5), counted from state = 3)
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

let engineRoots: { dockerd: number; containerd: number | null; shimMarker: string } | null = null;

/** The engine's processes: the dockerd serving DOCKER_HOST's socket, its containerd, and that containerd's shims. */
function enginePids(): number[] {
  const pids = allPids();
  const lines = new Map(pids.map((pid) => [pid, cmdline(pid)]));
  if (!engineRoots) {
    const socket = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
    const dockerds = pids.filter((pid) => /(^|\/)dockerd /.test(lines.get(pid)!));
    const dockerd = dockerds.find((pid) => lines.get(pid)!.includes(socket)) ?? dockerds.find((pid) => !lines.get(pid)!.includes(' -H '));
    if (dockerd === undefined) throw new Error(`no dockerd serving ${socket} found in /proc`);
    const containerd = pids.find((pid) => /(^|\/)containerd /.test(lines.get(pid)!) && parentOf(pid) === dockerd) ?? null;
    const config = containerd === null ? null : (/--config (\S+)/.exec(lines.get(containerd)!)?.[1] ?? null);
    engineRoots = { dockerd, containerd, shimMarker: config ? config.replace(/\/[^/]+$/, '') : '/run/containerd' };
  }
  const { dockerd, containerd, shimMarker } = engineRoots;
  const shims = pids.filter((pid) => /containerd-shim/.test(lines.get(pid)!) && lines.get(pid)!.includes(shimMarker));
  return [dockerd, ...(containerd === null ? [] : [containerd]), ...shims];
}


/** CPU as % of one core of these processes over the window (re-listing pids that come and go), and peak RSS of the first. */
async function measure(pids: () => number[], seconds: number, during?: () => void): Promise<{ cpuPercent: number; rssMiB: number }> {
  const start = new Map(pids().map((pid) => [pid, cpuSeconds(pid)]));
  const startedAt = performance.now();
  let peak = 0;
  const end = startedAt + seconds * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()));
    const first = pids()[0];
    if (first !== undefined) peak = Math.max(peak, rssMiB(first));
    during?.();
  }
  const elapsed = (performance.now() - startedAt) / 1000;
  let used = 0;
  for (const pid of new Set([...start.keys(), ...pids()])) used += cpuSeconds(pid) - (start.get(pid) ?? cpuSeconds(pid));
  return { cpuPercent: (used / elapsed) * 100, rssMiB: peak };
}

// ---- subjects ------------------------------------------------------------------------------------------------------

export interface Row {
  subject: string;
  condition: string;
  cpuPercent: number | null;
  rssMiB: number | null;
  /** Extra engine CPU while the subject ran, over the engine at rest. */
  engineExtraPercent: number | null;
  note?: string;
}

export interface BenchContext {
  client: Dockerode;
  count: number;
  windowSeconds: number;
  engineAtRestPercent: number;
  /** CPU/RSS of a process and the engine's extra CPU over one window. */
  measureProcess(pid: number, during?: () => void): Promise<Pick<Row, 'cpuPercent' | 'rssMiB' | 'engineExtraPercent'>>;
  /** Start `isolens ARGS…` from the build (with these node options); resolves with the child and its output so far. */
  spawnIsolens(args: string[], nodeOptions?: string[]): { child: ChildProcess; output: () => string };
}

/** What the bench measures besides the engine: add a subject here (e.g. the exporter) and it gets its rows. */
export interface Subject {
  name: string;
  /** Push rows as they are measured: what was measured before a failure is still printed. */
  run(context: BenchContext, rows: Row[]): Promise<void>;
}


/**
 * Run in the page before its own script: when the first table row enters the DOM, when the next frame (the one that
 * paints it) starts, and when a task after that frame runs (the paint is done by then), on the page's clock, whose zero
 * is the navigation's start (the token redirect included). It reports them through the binding the bench exposes, so
 * the bench hears of the rows as they are painted: no polling, and none of Playwright's own script evaluated in the page
 * while it loads (a locator's wait evaluates Playwright's injected script, 25–120 ms of the page's main thread in traces, just as
 * the snapshot arrives).
 */
const FIRST_ROW_PROBE = `(() => {
  const observer = new MutationObserver(() => {
    if (!document.querySelector('[data-testid="container-row"]')) return;
    observer.disconnect();
    const rowMs = performance.now();
    requestAnimationFrame(() => {
      const frameMs = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        window.__isolensBenchFirstRow = { rowMs, frameMs, paintedMs: performance.now() };
        window.__isolensBenchFirstRowSeen?.(window.__isolensBenchFirstRow);
      };
      channel.port2.postMessage(null);
    });
  });
  observer.observe(document, { childList: true, subtree: true });
})()`;

interface FirstRowTimes {
  rowMs: number;
  frameMs: number;
  paintedMs: number;
}

/**
 * Wait until the engine's processes and serve are quiet: a user opens the dashboard on a server whose containers are
 * already running, not while dockerd, containerd and 500 shims are still settling from starting them. Quiet: their CPU
 * over each of the last QUIET_S seconds within the engine at rest + QUIET_MARGIN_PERCENT of one core. Gives up after
 * SETTLE_TIMEOUT_S and says so; either way the figures are printed with the bench's output.
 */
const QUIET_S = 3;
const QUIET_MARGIN_PERCENT = 10;
const SETTLE_TIMEOUT_S = 60;
async function settle(pids: () => number[], atRestPercent: number): Promise<{ settled: boolean; seconds: number; lastPercent: number }> {
  const startedAt = performance.now();
  let quiet = 0;
  let lastPercent = 0;
  while ((performance.now() - startedAt) / 1000 < SETTLE_TIMEOUT_S) {
    const tracked = pids();
    const before = new Map(tracked.map((pid) => [pid, cpuSeconds(pid)]));
    const t = performance.now();
    await sleep(1000);
    const elapsed = (performance.now() - t) / 1000;
    let used = 0;
    for (const [pid, seconds] of before) used += Math.max(0, cpuSeconds(pid) - seconds);
    lastPercent = (used / elapsed) * 100;
    quiet = lastPercent <= atRestPercent + QUIET_MARGIN_PERCENT ? quiet + 1 : 0;
    if (quiet >= QUIET_S) return { settled: true, seconds: (performance.now() - startedAt) / 1000, lastPercent };
  }
  return { settled: false, seconds: (performance.now() - startedAt) / 1000, lastPercent };
}

async function countInSnapshot(origin: string, token: string, prefix: string): Promise<number | null> {
  const response = await fetch(`${origin}/api/getSnapshot`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{"args":[]}',
  });
  const body = (await response.json()) as { result: { containers: Array<{ name: string }> } | null };
  return body.result ? body.result.containers.filter((c) => c.name.startsWith(prefix)).length : null;
}

/** Frames of a plain WebSocket client of serve (bearer token, no list declared) into arrivals. */
async function plainClient(origin: string, token: string, arrivals: StatsArrivals): Promise<WebSocket> {
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/events`, { headers: { Authorization: `Bearer ${token}` } });
  socket.on('message', (data) => arrivals.onFrame(String(data), Date.now()));
  await new Promise((done, fail) => socket.once('open', done).once('error', fail));
  return socket;
}

const serveSubject: Subject = {
  name: 'isolens serve',
  async run(context, rows) {
    const { child, output } = context.spawnIsolens(['serve', '--port', '0'], values.memory ? ['--inspect=127.0.0.1:0'] : []);
    let browser: Browser | null = null;
    let session: InspectorSession | null = null;
    /** A serve row, with serve's memory breakdown in its note under --memory. */
    const serveRow = async (condition: string, measured: Pick<Row, 'cpuPercent' | 'rssMiB' | 'engineExtraPercent'>) => {
      const note = session ? describeMemory(await memoryOf(session)) : undefined;
      rows.push({ subject: 'isolens serve', condition, ...measured, ...(note ? { note } : {}) });
    };
    try {
      const url = await until('the serve URL', () => /(http:\/\/127\.0\.0\.1:\d+\/\?token=([A-Za-z0-9_-]+))/.exec(output()), 60_000, 250);
      const origin = new URL(url[1]!).origin;
      const token = url[2]!;
      if (values.memory) session = await inspector(await until('the inspector URL', () => inspectorUrlIn(output()), 30_000, 250));
      const startedAt = Date.now();
      await until(`serve to list ${context.count} containers`, async () => {
        const n = await countInSnapshot(origin, token, PREFIX).catch(() => null); // not listening yet: ask again
        return n !== null && n >= context.count;
      }, 300_000, 250);
      rows.push({ subject: 'isolens serve', condition: 'first snapshot after start', cpuPercent: null, rssMiB: rssMiB(child.pid!), engineExtraPercent: null, note: `${Date.now() - startedAt} ms` });
      // Settle: the first rebuilds and the history's first recording of every container are start-up, not steady state.
      await sleep(15_000);
      await serveRow('no client', await context.measureProcess(child.pid!));

      browser = await chromium.launch({
        executablePath: process.env.ISOLENS_CHROMIUM ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      });
      const page: Page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      // What the UI receives and what it told serve it shows, as the page sees them.
      const arrivals = new StatsArrivals();
      const declared: Array<{ atMs: number; ids: string[] }> = [];
      page.on('websocket', (socket) => {
        if (!socket.url().endsWith('/api/events')) return;
        socket.on('framereceived', ({ payload }) => arrivals.onFrame(String(payload), Date.now()));
      });
      page.on('request', (request) => {
        if (!request.url().endsWith('/api/setVisibleContainers')) return;
        const ids = (request.postDataJSON() as { args: [string, string[]] }).args[1];
        declared.push({ atMs: Date.now(), ids });
      });
      // The page reports its first row itself (FIRST_ROW_PROBE), through a binding: injected by the browser (not subject
      // to the CSP). Until this round the figure was Playwright's locator wait after page.goto's load event, which polls
      // the page at 0, 20, 70, 170, 270 ms and then every 500 ms (so it could come up to half a second after the rows),
      // and whose injected script ran in the page as the snapshot arrived; that figure is no longer taken.
      let firstRowSeen: (times: { wallMs: number } & FirstRowTimes) => void = () => undefined;
      const firstRow = new Promise<{ wallMs: number } & FirstRowTimes>((done) => (firstRowSeen = done));
      await page.exposeBinding('__isolensBenchFirstRowSeen', (_source, times: FirstRowTimes) => firstRowSeen({ wallMs: performance.now(), ...times }));
      await page.addInitScript(FIRST_ROW_PROBE);
      // A user opens the dashboard on a server whose containers already run: wait for the engine and serve to be quiet.
      const quiet = await settle(() => [...enginePids(), child.pid!], context.engineAtRestPercent);
      const settledNote = `${quiet.settled ? 'engine and serve quiet' : `engine and serve NOT quiet after ${SETTLE_TIMEOUT_S} s`} (${quiet.lastPercent.toFixed(0)} % of a core over the last second, at rest ${context.engineAtRestPercent.toFixed(0)} %; waited ${quiet.seconds.toFixed(0)} s); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
      console.log(`  opening the UI: ${settledNote}`);
      const loadStart = performance.now();
      await page.goto(`${url[1]!}#/containers`, { waitUntil: 'commit' });
      const seen = await Promise.race([firstRow, sleep(120_000).then(() => null)]);
      if (!seen) throw new Error('the UI showed no container row within 120 s');
      const firstScreenMs = seen.wallMs - loadStart;
      const own = `; by the page's clock, rows in the DOM at ${seen.rowMs.toFixed(0)} ms, their frame at ${seen.frameMs.toFixed(0)} ms, painted by ${seen.paintedMs.toFixed(0)} ms from the navigation; ${settledNote}`;
      rows.push({ subject: 'UI (Chromium)', condition: `first screen, ${context.count} containers`, cpuPercent: null, rssMiB: null, engineExtraPercent: null, note: `${firstScreenMs.toFixed(0)} ms from page.goto to the page reporting its first row painted${own}` });
      await page.locator('[data-testid="container-row"]').first().waitFor({ state: 'visible', timeout: 10_000 });
      await sleep(3000);
      arrivals.start(Date.now());
      const withClient = await context.measureProcess(child.pid!);
      arrivals.stop(Date.now());
      await serveRow('one client (UI open)', withClient);
      const visible = visibleThroughout(declared, Date.now() - arrivals.windowMs, Date.now());
      const running = (await context.client.listContainers()).map((c) => c.Id);
      const rest = running.filter((id) => !visible.has(id));
      const shown = arrivals.figures(visible);
      rows.push({ subject: 'UI (Chromium)', condition: 'stats received, rows it shows', cpuPercent: null, rssMiB: null, engineExtraPercent: null, note: `${describeRate(shown)}; arrival lag p95 ${shown.lagMs.p95.toFixed(0)} ms` });
      rows.push({ subject: 'UI (Chromium)', condition: 'stats received, the other rows', cpuPercent: null, rssMiB: null, engineExtraPercent: null, note: `${describeRate(arrivals.figures(rest))}; ${arrivals.frameCount} stats events in ${(arrivals.windowMs / 1000).toFixed(0)} s` });

      // Start-to-visible: filter the table to the late containers, start them one by one, time each until its row shows.
      await page.getByTestId('table-search').fill(LATE_PREFIX);
      const appear: number[] = [];
      const vanish: number[] = [];
      for (let i = 0; i < LATE; i++) {
        const name = `${LATE_PREFIX}${i}`;
        const started = await containers.start(name, { HostConfig: { NetworkMode: 'none' } });
        const tStarted = performance.now();
        await page.locator(`[data-testid="container-row"][data-name="${name}"]`).waitFor({ state: 'visible', timeout: 30_000 });
        appear.push(performance.now() - tStarted);
        // Timed from the engine's answer, as the start is: the removal itself (kill, teardown) is the engine's time.
        await context.client.getContainer(started.id).remove({ force: true });
        const t1 = performance.now();
        await page.locator(`[data-testid="container-row"][data-name="${name}"]`).waitFor({ state: 'detached', timeout: 30_000 });
        vanish.push(performance.now() - t1);
      }
      if (LATE > 0) {
        rows.push({ subject: 'UI (Chromium)', condition: `started container visible (p95 of ${LATE})`, cpuPercent: null, rssMiB: null, engineExtraPercent: null, note: `${percentile(appear, 95).toFixed(0)} ms (median ${percentile(appear, 50).toFixed(0)})` });
        rows.push({ subject: 'UI (Chromium)', condition: `removed container gone (p95 of ${LATE})`, cpuPercent: null, rssMiB: null, engineExtraPercent: null, note: `${percentile(vanish, 95).toFixed(0)} ms (median ${percentile(vanish, 50).toFixed(0)})` });
      }
      await page.close();
      const leftAt = Date.now();
      await sleep(3000);
      await serveRow('after the client left', await context.measureProcess(child.pid!));
      if (session) {
        await session.call('HeapProfiler.collectGarbage');
        rows.push({ subject: 'isolens serve', condition: 'after the client left, then a full GC', cpuPercent: null, rssMiB: rssMiB(child.pid!), engineExtraPercent: null, note: describeMemory(await memoryOf(session)) });
      }

      // A client that declares nothing (an older UI, a script) gets every container at 1 Hz. Its list-less state only
      // holds once the UI's last list has expired.
      await sleep(Math.max(0, leftAt + VIEWER_TTL_MS + 1000 - Date.now()));
      const plain = new StatsArrivals();
      const socket = await plainClient(origin, token, plain);
      try {
        await sleep(3000);
        plain.start(Date.now());
        const measured = await context.measureProcess(child.pid!);
        plain.stop(Date.now());
        await serveRow('one client declaring nothing (WebSocket)', measured);
        const all = plain.figures(running);
        rows.push({ subject: 'WebSocket client', condition: 'stats received, every container', cpuPercent: null, rssMiB: null, engineExtraPercent: null, note: `${describeRate(all)}; arrival lag p95 ${all.lagMs.p95.toFixed(0)} ms; ${plain.frameCount} stats events in ${(plain.windowMs / 1000).toFixed(0)} s` });
      } finally {
        socket.close();
      }
    } finally {
      session?.close();
      await browser?.close().catch(() => undefined);
      await stopChild(child);
    }
  },
};

/** Everything measured besides the engine itself. The exporter's row goes here. */
export const SUBJECTS: Subject[] = [serveSubject, exporterSubject(PREFIX)];
/** --subjects serve,exporter: those whose name ends with one of the words. */
const chosen = (subject: Subject) => !values.subjects || values.subjects.split(',').some((word) => subject.name.endsWith(word.trim()));

// ---- the run -----------------------------------------------------------------------------------------------------

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** The bench's containers 0…count-1; under --keep those already running are used, and any beyond count removed. */
async function startMany(client: Dockerode, count: number): Promise<void> {
  const running = new Set<string>();
  if (values.keep) {
    const listed = await containers.list();
    const extra: string[] = [];
    for (const container of listed) {
      const name = container.Names[0]!.replace(/^\//, '');
      const index = name.startsWith(PREFIX) ? Number(name.slice(PREFIX.length)) : NaN;
      if (!name.startsWith(PREFIX)) continue;
      if (container.State === 'running' && Number.isInteger(index) && index < count) running.add(name);
      else extra.push(container.Id);
    }
    for (const id of extra) await client.getContainer(id).remove({ force: true });
    console.log(`  --keep: ${running.size} already running, ${extra.length} removed`);
  }
  let next = 0;
  let done = 0;
  const workers = Array.from({ length: 6 }, async () => {
    while (next < count) {
      const name = `${PREFIX}${next++}`;
      if (running.has(name)) continue;
      // No network: a bridge has 254 addresses, and the bench is about reading the kernel, not about networking.
      await containers.start(name, { HostConfig: { NetworkMode: 'none' } });
      if (++done % 50 === 0) process.stdout.write(`  ${done}/${count - running.size}\n`);
    }
  });
  await Promise.all(workers);
}

function fmt(value: number | null | undefined, unit: string, digits = 1): string {
  return value === null || value === undefined ? '' : `${value.toFixed(digits)}${unit}`;
}

async function main(): Promise<void> {
  if (!values['no-build']) {
    console.log('building (npm run build)…');
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  if (values.profile) mkdirSync(values.profile, { recursive: true });
  const client = testClient();
  await ensureTestImage(client);
  containers = benchContainers(client, PREFIX, { keep: values.keep });
  if (!values.keep) await containers.remove();
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  const rows: Row[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'isolens-bench-live-state-'));
  try {
    console.log(`starting ${COUNT} labelled containers (load average ${load()})…`);
    const t0 = Date.now();
    await startMany(client, COUNT);
    console.log(`  started in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    await sleep(5000);

    const rest = await measure(enginePids, WINDOW_S);
    rows.push({ subject: 'engine (dockerd, containerd, shims)', condition: 'at rest', cpuPercent: rest.cpuPercent, rssMiB: null, engineExtraPercent: null });

    // docker stats as lazydocker, ctop and Portainer use it: one streaming CLI for every running container.
    const stats = spawn('docker', ['stats'], { stdio: ['ignore', 'ignore', 'ignore'] });
    await sleep(5000);
    const withStats = await measure(() => [...enginePids(), stats.pid!], WINDOW_S);
    await stopChild(stats);
    const statsCost = withStats.cpuPercent - rest.cpuPercent;
    rows.push({ subject: '`docker stats`', condition: 'engine extra CPU + CLI', cpuPercent: statsCost, rssMiB: null, engineExtraPercent: null });

    const context: BenchContext = {
      client,
      count: COUNT,
      windowSeconds: WINDOW_S,
      engineAtRestPercent: rest.cpuPercent,
      async measureProcess(pid, during) {
        const engineStart = new Map(enginePids().map((p) => [p, cpuSeconds(p)]));
        const t = performance.now();
        const own = await measure(() => [pid], WINDOW_S, during);
        const elapsed = (performance.now() - t) / 1000;
        let engineUsed = 0;
        for (const p of new Set([...engineStart.keys(), ...enginePids()])) engineUsed += cpuSeconds(p) - (engineStart.get(p) ?? cpuSeconds(p));
        return { cpuPercent: own.cpuPercent, rssMiB: own.rssMiB, engineExtraPercent: (engineUsed / elapsed) * 100 - rest.cpuPercent };
      },
      spawnIsolens(args, nodeOptions = []) {
        const nodeArgs = [...nodeOptions, ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', resolve(values.profile)] : [])];
        // A history database of this run's own (XDG_STATE_HOME), not the user's: its size would differ from run to run.
        const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_STATE_HOME: stateDir } });
        let output = '';
        child.stdout!.on('data', (chunk) => (output += chunk));
        child.stderr!.on('data', (chunk) => (output += chunk));
        return { child, output: () => output };
      },
    };
    for (const subject of SUBJECTS.filter(chosen)) {
      console.log(`measuring ${subject.name} (load average ${load()})…`);
      const subjectRows: Row[] = [];
      try {
        await subject.run(context, subjectRows);
      } catch (error) {
        subjectRows.push({ subject: subject.name, condition: 'FAILED', cpuPercent: null, rssMiB: null, engineExtraPercent: null, note: String(error).split('\n')[0]! });
      }
      rows.push(...subjectRows);
    }

    console.log(`\n${COUNT} containers, ${WINDOW_S} s windows, ${process.env.DOCKER_HOST ?? 'default engine'}; load average at the end ${load()} (2 cores shared)\n`);
    const header = ['subject', 'condition', 'CPU (% of one core)', 'RSS', 'engine extra', 'vs docker stats', 'note'];
    const table = rows.map((r) => [
      r.subject,
      r.condition,
      fmt(r.cpuPercent, ' %'),
      fmt(r.rssMiB, ' MiB', 0),
      fmt(r.engineExtraPercent, ' %'),
      r.cpuPercent !== null && r.subject !== '`docker stats`' && !r.subject.startsWith('engine') && statsCost > 0
        ? `${((r.cpuPercent + Math.max(0, r.engineExtraPercent ?? 0)) / statsCost).toFixed(2)}×`
        : '',
      r.note ?? '',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    console.log(line(header));
    console.log(line(widths.map((w) => '-'.repeat(w))));
    for (const row of table) console.log(line(row));
    console.log('\n"vs docker stats" = (subject CPU + engine extra while it ran) / (`docker stats` engine extra + CLI), same run.');
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    await containers.finish();
  }
}

await main();
