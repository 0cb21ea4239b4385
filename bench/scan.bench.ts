// `npm run bench:scan [-- --containers 50 --runs 7 --helper-image IMAGE --shown 22 --serve-seconds 20]`: Isolens' scan
// and live stats against the engine's own endpoints, same run; then serve's live API reading through a helper, with a
// client that shows --shown rows: whether those rows keep 1 Hz (the 5 s refresh goes through the same helper).
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openEngine } from '../app/engine/open.js';
import { collectSnapshot, inspectRunning, snapshotFromInspects } from '../app/collect/scan.js';
import { assessSnapshot } from '../app/assess.js';
import { StatsSampler } from '../app/poller/stats.js';
import { LOCAL_HOST_SOURCE } from '../app/kernel/source.js';
import { ensureTestImage, testClient, TEST_IMAGE } from '../e2e/harness/engine.js';
import { benchContainers } from './containers.js';
import { openKernelSource, withKernelSource } from '../app/kernel-source.js';
import { median } from './median.js';
import { createLiveApi } from '../app/poller/live.js';
import { describeRate, StatsArrivals } from './live-rate.js';

const { values } = parseArgs({
  options: {
    containers: { type: 'string', default: '50' },
    runs: { type: 'string', default: '7' },
    // The helper's image: the local test image by default, as no registry is reachable here.
    'helper-image': { type: 'string', default: TEST_IMAGE },
    // Serve through a helper: rows the client shows (bench:live's UI shows 22), and how long to watch.
    shown: { type: 'string', default: '22' },
    'serve-seconds': { type: 'string', default: '20' },
  },
});
const count = Number(values.containers);
const runs = Number(values.runs);
// Not 'isolens-bench-' alone: that would also match (and remove) the containers of a bench:live run.
const PREFIX = 'isolens-bench-scan-';
const BIN = new URL('../bin/isolens.js', import.meta.url).pathname;

async function time(label: string, times: number, f: () => Promise<unknown>): Promise<{ label: string; medianMs: number; samplesMs: number[] }> {
  await f(); // warm-up, not counted
  const samplesMs: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    await f();
    samplesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { label, medianMs: median(samplesMs), samplesMs };
}

/** Each command once per round (after one warm-up round), `times` rounds; the median of each. */
async function interleaved(times: number, commands: Array<[string, () => unknown]>): Promise<Array<{ label: string; medianMs: number; samplesMs: number[] }>> {
  for (const [, f] of commands) f();
  const samples = commands.map(() => [] as number[]);
  for (let i = 0; i < times; i++) {
    commands.forEach(([, f], j) => {
      const start = process.hrtime.bigint();
      f();
      samples[j]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return commands.map(([label], j) => ({ label, medianMs: median(samples[j]!), samplesMs: samples[j]! }));
}

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

/**
 * Serve's live API as `isolens serve` runs it (1 Hz stats for what a viewer shows, every 10 s for the rest, the 5 s
 * refresh), reading through a helper: the rate the shown rows and the others get, by StatsArrivals as bench:live counts.
 */
async function serveThroughHelper(ids: string[], shownCount: number, seconds: number, helperImage: string): Promise<string[]> {
  const api = await createLiveApi({ kernel: { mode: 'helper', helperImage } });
  try {
    const snapshot = await api.getSnapshot();
    if (snapshot?.engine.kernelSource?.kind !== 'helper') throw new Error(`serve did not read through a helper: ${snapshot?.engine.kernelSource?.detail}`);
    const shown = ids.slice(0, shownCount);
    const arrivals = new StatsArrivals();
    const stop = api.subscribe((event) => arrivals.onFrame(JSON.stringify(event), Date.now()));
    // Declared again every 10 s, as the UI does: a list lapses after 30 s, and then every row is sampled at 1 Hz.
    const declare = () => api.setVisibleContainers('bench-scan-helper-viewer', shown);
    await declare();
    const redeclare = setInterval(() => void declare(), 10_000);
    // The first ticks open the files and the first refresh runs; count from a few seconds in.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = load();
    arrivals.start(Date.now());
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    arrivals.stop(Date.now());
    clearInterval(redeclare);
    stop();
    const others = ids.filter((id) => !shown.includes(id));
    return [
      `  load average ${before} at the start, ${load()} at the end; ${arrivals.frameCount} stats events in ${(arrivals.windowMs / 1000).toFixed(1)} s`,
      `  rows shown   : ${describeRate(arrivals.figures(shown))}`,
      ...(others.length > 0 ? [`  rows not shown: ${describeRate(arrivals.figures(others))} (every 10 s by design)`] : []),
    ];
  } finally {
    await api.close();
  }
}

async function main(): Promise<void> {
  console.log(`load average at the start: ${load()}`);
  const client = testClient();
  await ensureTestImage(client);
  // Removed on every way out, Ctrl-C and a killed bench included (bench/containers.ts).
  const containers = benchContainers(client, PREFIX);
  await containers.remove();
  console.log(`starting ${count} labelled containers…`);
  const started = [];
  try {
    for (let i = 0; i < count; i++) started.push(await containers.start(`${PREFIX}${i}`));
    const ids = started.map((c) => c.id);
    const { engine, adapter } = await openEngine({});

    const { inspects } = await inspectRunning(adapter);
    const ours = inspects.filter((i) => i.Name.startsWith(`/${PREFIX}`));
    const sampler = new StatsSampler(LOCAL_HOST_SOURCE);
    const targets = ours.map((i) => ({ id: i.Id, pid: i.State.Pid }));

    // One helper kept open, as serve keeps it: reads through it, against the same reads done locally, in this run.
    const helperOptions = { mode: 'helper' as const, helperImage: values['helper-image'] };
    const helper = await openKernelSource(adapter, engine, ours, helperOptions);
    if (helper.description.kind !== 'helper') throw new Error(`no helper: ${helper.description.detail}`);
    const helperSampler = new StatsSampler(helper);
    const helperTargets = [...targets];

    const results = [
      await time('isolens steady-state scan (cached inspect + kernel + rules)', runs, async () =>
        assessSnapshot(await snapshotFromInspects(ours, engine)),
      ),
      await time('isolens cold scan (list + inspect + kernel + rules)', runs, async () =>
        assessSnapshot(await collectSnapshot(adapter, engine)),
      ),
      await time('engine inspect API, same containers (parallel)', runs, () =>
        Promise.all(ids.map((id) => client.getContainer(id).inspect())),
      ),
      await time('`docker inspect` CLI, same containers', runs, async () => {
        execFileSync('docker', ['inspect', ...ids], { maxBuffer: 256 * 1024 * 1024 });
      }),
      await time('isolens live stats sample (cgroupfs + /proc/PID/net/dev)', runs, () => sampler.sample(targets)),
      await time('engine stats endpoint, stream=false, same containers (parallel)', Math.min(runs, 3), () =>
        Promise.all(ids.map((id) => client.getContainer(id).stats({ stream: false }))),
      ),
    ];
    const helperRows = [
      await time('isolens steady-state scan through a kept helper', runs, async () => assessSnapshot(await snapshotFromInspects(ours, engine, { source: helper }))),
      await time('isolens one-shot helper scan (start helper + scan + remove)', runs, () =>
        withKernelSource(adapter, engine, helperOptions, async (source) => assessSnapshot(await snapshotFromInspects(ours, engine, { source })), ours),
      ),
      await time('isolens live stats sample through a kept helper', runs, () => helperSampler.sample(helperTargets)),
    ];
    await helper.close?.();
    results.push(...helperRows);
    const serveSeconds = Number(values['serve-seconds']);
    const serveLines = serveSeconds > 0 ? await serveThroughHelper(ids, Number(values.shown), serveSeconds, values['helper-image']) : [];
    // The CLI as a user runs it (the build's bin/isolens.js, process start to exit), against its peers in this run,
    // interleaved: each round runs every command once, so a change of load during the run touches all of them alike
    // (timed one after the other, docker inspect's row and the scan's were minutes apart).
    const inspectArgs = ['inspect', ...ids];
    const cli = await interleaved(runs, [
      ['`docker inspect` CLI, same containers, interleaved with the rows below', () => execFileSync('docker', inspectArgs, { maxBuffer: 256 * 1024 * 1024 })],
      ['`isolens scan --json` CLI, same containers', () => execFileSync(process.execPath, [BIN, 'scan', '--json', '--container', `${PREFIX}*`], { maxBuffer: 256 * 1024 * 1024 })],
      // What the first scan after an install or upgrade costs: no code cache yet (app/cli/code-cache.ts).
      ['`isolens scan --json` CLI without its code cache (a first run)', () =>
        execFileSync(process.execPath, [BIN, 'scan', '--json', '--container', `${PREFIX}*`], { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ISOLENS_NO_CODE_CACHE: '1' } })],
      ['`isolens --help`', () => execFileSync(process.execPath, [BIN, '--help'])],
      ['`node -e 0`', () => execFileSync(process.execPath, ['-e', '0'])],
    ]);
    results.push(...cli);

    const width = Math.max(...results.map((r) => r.label.length));
    console.log(`\n${count} containers, median of ${runs} runs (stats endpoint: ${Math.min(runs, 3)}), engine ${engine.kind} ${engine.version}\n`);
    for (const r of results) console.log(`${r.label.padEnd(width)}  ${r.medianMs.toFixed(1).padStart(9)} ms`);
    const [steady, cold, inspectApi, inspectCli, stats, engineStats] = results.map((r) => r.medianMs) as number[];
    console.log('\nratios (higher = Isolens faster):');
    console.log(`  engine stats endpoint / isolens live stats sample : ${(engineStats! / stats!).toFixed(1)}x`);
    console.log(`  engine stats endpoint / isolens steady-state scan : ${(engineStats! / steady!).toFixed(1)}x`);
    console.log(`  docker inspect CLI    / isolens steady-state scan : ${(inspectCli! / steady!).toFixed(1)}x`);
    console.log(`  inspect API           / isolens steady-state scan : ${(inspectApi! / steady!).toFixed(1)}x`);
    console.log(`  isolens cold scan     / inspect API               : ${(cold! / inspectApi!).toFixed(2)}x (the cost of kernel reads + rules on top of inspect)`);
    const [helperSteady, helperOneShot, helperStats] = helperRows.map((r) => r.medianMs) as number[];
    console.log('\nhelper kernel source (lower = closer to local reading):');
    console.log(`  steady-state scan: helper / local        : ${(helperSteady! / steady!).toFixed(2)}x`);
    console.log(`  one-shot helper scan / local steady scan : ${(helperOneShot! / steady!).toFixed(2)}x (includes starting and removing the helper)`);
    console.log(`  live stats sample: helper / local        : ${(helperStats! / stats!).toFixed(2)}x`);
    if (serveLines.length > 0) {
      console.log(`\nserve through a kept helper, a client showing ${Math.min(Number(values.shown), count)} of ${count} rows, ${serveSeconds} s (1 Hz kept: 1.00 samples/s, gap p95 ≈ 1,000 ms):`);
      for (const line of serveLines) console.log(line);
    }
    const [inspectInterleaved, scanCli, scanFirst, help, nodeBare] = cli.map((r) => r.medianMs) as number[];
    console.log('\nCLI, interleaved (lower = Isolens faster; targets: scan ≤ 4×, --help ≤ 2×):');
    console.log(`  isolens scan --json / docker inspect CLI : ${(scanCli! / inspectInterleaved!).toFixed(2)}x (without its code cache, a first run: ${(scanFirst! / inspectInterleaved!).toFixed(2)}x)`);
    console.log(`  isolens --help      / node -e 0          : ${(help! / nodeBare!).toFixed(2)}x`);
    console.log(`\nload average at the end: ${load()}`);
  } finally {
    await containers.finish();
  }
}

await main();
