// `npm run bench:scan [-- --containers 50 --runs 7 --helper-image IMAGE]`: Isolens' scan and live stats against the engine's own endpoints, same run.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { openEngine } from '../app/engine/open.js';
import { collectSnapshot, inspectRunning, snapshotFromInspects } from '../app/collect/scan.js';
import { assessSnapshot } from '../app/assess.js';
import { StatsSampler } from '../app/poller/stats.js';
import { LOCAL_HOST_SOURCE } from '../app/kernel/source.js';
import { ensureTestImage, removeTestContainers, startContainer, testClient, TEST_IMAGE } from '../e2e/harness/engine.js';
import { openKernelSource, withKernelSource } from '../app/kernel-source.js';
import { median } from './median.js';

const { values } = parseArgs({
  options: {
    containers: { type: 'string', default: '50' },
    runs: { type: 'string', default: '7' },
    // The helper's image: the local test image by default, as no registry is reachable here.
    'helper-image': { type: 'string', default: TEST_IMAGE },
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

async function main(): Promise<void> {
  const client = testClient();
  await ensureTestImage(client);
  await removeTestContainers(client, PREFIX);
  console.log(`starting ${count} labelled containers…`);
  const started = [];
  try {
    for (let i = 0; i < count; i++) started.push(await startContainer(`${PREFIX}${i}`, {}, client));
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
    // The CLI as a user runs it (the build's bin/isolens.js, process start to exit), against its peers in this run.
    const cli = [
      await time('`isolens scan --json` CLI, same containers', runs, async () => {
        execFileSync(process.execPath, [BIN, 'scan', '--json', '--container', `${PREFIX}*`], { maxBuffer: 256 * 1024 * 1024 });
      }),
      await time('`isolens --help`', runs, async () => {
        execFileSync(process.execPath, [BIN, '--help']);
      }),
      await time('`node -e 0`', runs, async () => {
        execFileSync(process.execPath, ['-e', '0']);
      }),
    ];
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
    const [scanCli, help, nodeBare] = cli.map((r) => r.medianMs) as number[];
    console.log('\nCLI (lower = Isolens faster; targets: scan ≤ 4×, --help ≤ 2×):');
    console.log(`  isolens scan --json / docker inspect CLI : ${(scanCli! / inspectCli!).toFixed(2)}x`);
    console.log(`  isolens --help      / node -e 0          : ${(help! / nodeBare!).toFixed(2)}x`);
  } finally {
    console.log(`\nremoving ${await removeTestContainers(client, PREFIX)} containers`);
  }
}

await main();
