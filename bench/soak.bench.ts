// `npm run bench:soak -- --cycles 1000`: a real container started and stopped again and again while the live API runs
// (session, events, 1 Hz stats), with RSS, heap, active handles and open descriptors printed as it goes, and RSS at the
// end against RSS after the warm-up. Runs with --expose-gc, so every sample is taken after a full collection.
// The end report sets warm-up against the end for RSS (and its anonymous and file-backed parts), the JS heap, external
// and ArrayBuffer memory, descriptors and handles, each with its growth in %.
//
// Options: --cycles N (1000) --every K cycles per sample (50) --warm-up W cycles (100) --stats-ms S (1000)
//          --heap-snapshots DIR: write a V8 heap snapshot at the warm-up and at the end (compare with bench/heap-diff.ts)
//          --samples FILE: write every sample as JSON
//          --smaps DIR: copy /proc/self/smaps at every sample (which mappings grew: V8 pages, malloc arenas, …)
//          --tag T: name the cycled container isolens-bench-soak-T-cycling, so two runs (one under MALLOC_ARENA_MAX=2)
//                   can share an engine without removing each other's container
// To tell allocator fragmentation from a leak, run it again under MALLOC_ARENA_MAX=2 (see bench/profiles/README.md).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { parseArgs } from 'node:util';
import { createLiveApi } from '../app/poller/index.js';
import { ensureTestImage, testClient } from '../e2e/harness/engine.js';
import { benchContainers } from './containers.js';
import { handleGrowth, soak, type SoakSample } from '../e2e/harness/soak.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    every: { type: 'string', default: '50' },
    'warm-up': { type: 'string', default: '100' },
    'stats-ms': { type: 'string', default: '1000' },
    'heap-snapshots': { type: 'string' },
    samples: { type: 'string' },
    smaps: { type: 'string' },
    tag: { type: 'string', default: '' },
  },
});
const cycles = Number(values.cycles);
const every = Number(values.every);
const warmUp = Number(values['warm-up']);
if (![cycles, every, warmUp].every((n) => Number.isInteger(n) && n > 0) || warmUp % every !== 0 || warmUp >= cycles) {
  console.error('bench:soak: --cycles, --every and --warm-up are positive integers, --warm-up a multiple of --every and below --cycles');
  process.exit(2);
}
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') console.error('bench:soak: no --expose-gc; heap figures include garbage');

if (!/^[a-z0-9]*$/.test(values.tag)) {
  console.error('bench:soak: --tag is lower-case letters and digits');
  process.exit(2);
}
const PREFIX = values.tag ? `isolens-bench-soak-${values.tag}-` : 'isolens-bench-soak-';
const client = testClient();
const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const total = (sample: SoakSample) => Object.values(sample.handles).reduce((a, b) => a + b, 0);
const retainedTotal = (sample: SoakSample) => Object.values(sample.retained).reduce((a, b) => a + b, 0);

await ensureTestImage(client);
// Labelled as a bench's, so an integration run during a long soak leaves it alone, and removed on every way out.
const containers = benchContainers(client, PREFIX);
await containers.remove();
const api = await createLiveApi({ statsIntervalMs: Number(values['stats-ms']) });
api.subscribe(() => undefined);
console.log(`bench:soak: ${cycles} start/stop cycles, a sample every ${every}, warm-up ${warmUp}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const snapshotDir = values['heap-snapshots'];
if (snapshotDir) mkdirSync(snapshotDir, { recursive: true });
if (values.smaps) mkdirSync(values.smaps, { recursive: true });
const snapshotAt = (cycle: number) => {
  if (!snapshotDir || (cycle !== warmUp && cycle !== cycles)) return;
  console.log(`heap snapshot: ${writeHeapSnapshot(join(snapshotDir, `soak-cycle-${cycle}.heapsnapshot`))}`);
};
console.log('cycle  elapsed s  RSS MiB  released  anon MiB  file MiB  V8 pages  malloc (arenas)  heap MiB  heap total  external MiB  arrayBuffers  handles  descriptors  retained  subscribers');
let samples: SoakSample[] = [];
try {
  samples = await soak({
    api,
    client,
    name: `${PREFIX}cycling`,
    cycles,
    every,
    settleMs: Number(values['stats-ms']) * 5,
    start: (name) => containers.start(name),
    onSample: (s) => {
      console.log(
        `${String(s.cycle).padStart(5)}  ${(s.elapsedMs / 1000).toFixed(0).padStart(9)}  ${mib(s.rssBytes).padStart(7)}  ${(s.rssAfterReleaseBytes === null ? '-' : mib(s.rssAfterReleaseBytes)).padStart(8)}  ${mib(s.rssAnonBytes).padStart(8)}  ${mib(s.rssFileBytes).padStart(8)}  ${mib(s.anonymous.v8PagesBytes).padStart(8)}  ${`${mib(s.anonymous.mallocBytes)} (${s.anonymous.mallocArenas})`.padStart(15)}  ${mib(s.heapUsedBytes).padStart(8)}  ${mib(s.heapTotalBytes).padStart(10)}  ${mib(s.externalBytes).padStart(12)}  ${mib(s.arrayBuffersBytes).padStart(12)}  ${String(total(s)).padStart(7)}  ${String(s.openDescriptors).padStart(11)}  ${String(retainedTotal(s)).padStart(8)}  ${String(s.sessionSubscribers).padStart(11)}`,
      );
      // Read and written, not copied: a /proc file has no size, so copyFileSync copies nothing.
      if (values.smaps) writeFileSync(join(values.smaps, `smaps-cycle-${s.cycle}`), readFileSync('/proc/self/smaps'));
      snapshotAt(s.cycle);
    },
  });
} finally {
  await api.close();
  await containers.finish();
}

if (values.samples) writeFileSync(values.samples, JSON.stringify(samples, null, 1));
const warm = samples.find((s) => s.cycle === warmUp)!;
const last = samples.at(-1)!;
const after = samples.filter((s) => s.cycle >= warmUp);
const change = (last.rssBytes - warm.rssBytes) / warm.rssBytes;
const spread = (Math.max(...after.map((s) => s.rssBytes)) - Math.min(...after.map((s) => s.rssBytes))) / warm.rssBytes;
const percent = (from: number, to: number) => (from === 0 ? (to === 0 ? '0.0 %' : 'n/a') : `${(((to - from) / from) * 100).toFixed(1)} %`);
const rows: Array<[string, (s: SoakSample) => number, boolean]> = [
  ['RSS', (s) => s.rssBytes, true],
  ['RSS once V8 gave back its pooled pages', (s) => s.rssAfterReleaseBytes ?? Number.NaN, true],
  ['  RSS anonymous', (s) => s.rssAnonBytes, true],
  ['  RSS file-backed', (s) => s.rssFileBytes, true],
  ['  anonymous: V8 heap pages', (s) => s.anonymous.v8PagesBytes, true],
  ['  anonymous: malloc arenas', (s) => s.anonymous.mallocBytes, true],
  ['  anonymous: other', (s) => s.anonymous.otherBytes, true],
  ['  malloc arenas (count)', (s) => s.anonymous.mallocArenas, false],
  ['JS heap used', (s) => s.heapUsedBytes, true],
  ['JS heap total', (s) => s.heapTotalBytes, true],
  ['external', (s) => s.externalBytes, true],
  ['  arrayBuffers', (s) => s.arrayBuffersBytes, true],
  ['open descriptors', (s) => s.openDescriptors, false],
  ['active handles', total, false],
  ['session subscribers', (s) => s.sessionSubscribers, false],
  ['API listeners', (s) => s.apiListeners, false],
  ['per-container map entries', retainedTotal, false],
];
console.log('');
console.log(`${'warm-up (cycle ' + warmUp + ') → end (cycle ' + last.cycle + ')'}`.padEnd(40) + 'warm-up'.padStart(12) + 'end'.padStart(12) + 'growth'.padStart(10));
for (const [label, pick, bytes] of rows) {
  const show = (n: number) => (bytes ? `${mib(n)} MiB` : String(n));
  console.log(`${label.padEnd(40)}${show(pick(warm)).padStart(12)}${show(pick(last)).padStart(12)}${percent(pick(warm), pick(last)).padStart(10)}`);
}
console.log(`handles grown: ${JSON.stringify(handleGrowth(warm, last))}; map entries at the end ${JSON.stringify(last.retained)}; holding the stopped container: ${last.retainingCycled.join(', ') || 'none'}`);
console.log(`RSS spread over cycles ${warmUp}–${last.cycle}: ${(spread * 100).toFixed(1)} % of the warm-up figure; ${Math.abs(change) <= 0.1 && spread <= 0.1 ? 'flat within 10 %' : 'NOT flat within 10 %'}`);
if (warm.rssAfterReleaseBytes !== null && last.rssAfterReleaseBytes !== null) {
  const released = after.map((s) => s.rssAfterReleaseBytes!);
  const releasedChange = (last.rssAfterReleaseBytes - warm.rssAfterReleaseBytes) / warm.rssAfterReleaseBytes;
  const releasedSpread = (Math.max(...released) - Math.min(...released)) / warm.rssAfterReleaseBytes;
  console.log(
    `RSS once V8 gave back its pooled pages: ${(releasedChange * 100).toFixed(1)} % from cycle ${warmUp} to ${last.cycle}, spread ${(releasedSpread * 100).toFixed(1)} %; ${Math.abs(releasedChange) <= 0.1 && releasedSpread <= 0.1 ? 'flat within 10 %' : 'NOT flat within 10 %'}`,
  );
}
const settled = samples.find((s) => s.cycle >= cycles / 2)!;
console.log(`RSS from cycle ${settled.cycle} (half-way) ${mib(settled.rssBytes)} MiB to the end: ${percent(settled.rssBytes, last.rssBytes)}`);
console.log(`${(last.elapsedMs / last.cycle).toFixed(0)} ms per cycle; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '(unset)'}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
