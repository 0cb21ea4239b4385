// `npx tsx bench/profile-serve.ts --containers 100 --condition idle|client|plain`: a CPU profile of `isolens serve` over
// one steady-state window only (start-up excluded), taken through the inspector, with the window's CPU from /proc.
// plain: one WebSocket client that declares no visible list (every container sampled at 1 Hz).
//
// Starts N labelled containers (removed at the end unless --keep), starts serve from the build (run `npm run build`
// first) with --inspect on loopback, waits for the first snapshot and a settling time, then profiles --seconds S with
// no client (idle) or with the UI open in Chromium (client), and prints profile-summary's top entries.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';
import { inspector, inspectorUrlIn } from './inspector.js';
import { percentile } from './live-rate.js';
import { ensureTestImage, removeTestContainers, startContainer, testClient } from '../e2e/harness/engine.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { until } from '../e2e/harness/until.js';

const { values } = parseArgs({
  options: {
    containers: { type: 'string', default: '100' },
    condition: { type: 'string', default: 'idle' },
    seconds: { type: 'string', default: '30' },
    settle: { type: 'string', default: '20' },
    out: { type: 'string', default: '.isolens-tmp/profiles' },
    keep: { type: 'boolean', default: false },
    /** Containers under another prefix (bench:live's isolens-bench-live- after its --keep) are used as they run. */
    prefix: { type: 'string', default: 'isolens-bench-prof-' },
  },
});
const COUNT = Number(values.containers);
const PREFIX = values.prefix!;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

const client = testClient();
await ensureTestImage(client);
if (!values.keep) await removeTestContainers(client, PREFIX);
const historyDir = mkdtempSync(join(tmpdir(), 'isolens-prof-history-'));
try {
  const running = new Set((await client.listContainers()).flatMap((c) => c.Names.map((name) => name.replace(/^\//, ''))));
  const missing = Array.from({ length: COUNT }, (_, i) => `${PREFIX}${i}`).filter((name) => !running.has(name));
  for (let i = 0; i < missing.length; i += 8) {
    await Promise.all(missing.slice(i, i + 8).map((name) => startContainer(name, { HostConfig: { NetworkMode: 'none' } }, client)));
  }
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', resolve(ROOT, 'bin/isolens.js'), 'serve', '--port', '0', '--history-db', join(historyDir, 'h.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  try {
    const ws = await until('the inspector URL', () => inspectorUrlIn(output), 30_000, 250);
    const url = await until('the serve URL', () => /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output)?.[0], 60_000, 250);
    const token = new URL(url).searchParams.get('token')!;
    await until(`serve to list ${COUNT} containers`, async () => {
      try {
        const response = await fetch(`${new URL(url).origin}/api/getSnapshot`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"args":[]}' });
        const body = (await response.json()) as { result: { containers: Array<{ name: string }> } | null };
        return (body.result?.containers.filter((c) => c.name.startsWith(PREFIX)).length ?? 0) >= COUNT;
      } catch {
        return false; // not listening yet: ask again
      }
    }, 300_000, 250);
    const browser = values.condition === 'client' ? await chromium.launch({ executablePath: process.env.ISOLENS_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] }) : null;
    if (browser) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`${url}#/containers`);
      await page.locator('[data-testid="container-row"]').first().waitFor({ state: 'visible', timeout: 120_000 });
    }
    const plain = values.condition === 'plain' ? new WebSocket(`${new URL(url).origin.replace(/^http/, 'ws')}/api/events`, { headers: { Authorization: `Bearer ${token}` } }) : null;
    /** Time between two stats events the plain client receives: how well 1 Hz holds. */
    const gaps: number[] = [];
    let lastStats = 0;
    plain?.on('message', (data) => {
      if (!String(data).startsWith('{"type":"stats"')) return;
      const now = performance.now();
      if (lastStats > 0) gaps.push(now - lastStats);
      lastStats = now;
    });
    await sleep(Number(values.settle) * 1000);
    gaps.length = 0;
    const session = await inspector(ws);
    await session.call('Profiler.enable');
    await session.call('Profiler.start');
    const cpu0 = cpuSeconds(child.pid!);
    const t0 = performance.now();
    await sleep(Number(values.seconds) * 1000);
    const cpu = ((cpuSeconds(child.pid!) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
    const { profile } = (await session.call('Profiler.stop')) as { profile: unknown };
    session.close();
    plain?.close();
    await browser?.close();
    const file = resolve(values.out!, `serve-${values.condition}-${COUNT}-${Date.now()}.cpuprofile`);
    rmSync(file, { force: true });
    await import('node:fs').then((fs) => fs.mkdirSync(resolve(values.out!), { recursive: true }));
    writeFileSync(file, JSON.stringify(profile));
    console.log(`${COUNT} containers, ${values.condition}, ${values.seconds} s: serve ${cpu.toFixed(1)} % of one core, RSS ${rssMiB(child.pid!).toFixed(0)} MiB; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (plain) console.log(`plain client: ${gaps.length} gaps between stats events, p50 ${percentile(gaps, 50).toFixed(0)} ms, p95 ${percentile(gaps, 95).toFixed(0)} ms, max ${Math.max(...gaps).toFixed(0)} ms`);
    console.log(`profile: ${file}`);
  } finally {
    child.kill('SIGINT');
    await new Promise((done) => child.once('exit', done));
  }
} finally {
  rmSync(historyDir, { recursive: true, force: true });
  if (!values.keep) await removeTestContainers(client, PREFIX);
}
