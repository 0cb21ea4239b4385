// `npm run bench:soak -- --cycles 1000`: a real container started and stopped again and again while the live API runs
// (session, events, 1 Hz stats), with RSS, heap, active handles and open descriptors printed as it goes, and RSS at the
// end against RSS after the warm-up. Runs with --expose-gc, so every sample is taken after a full collection.
//
// Options: --cycles N (1000) --every K cycles per sample (50) --warm-up W cycles (100) --stats-ms S (1000)
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createLiveApi } from '../app/poller/index.js';
import { ensureTestImage, removeTestContainers, testClient } from '../e2e/harness/engine.js';
import { handleGrowth, soak, type SoakSample } from '../e2e/harness/soak.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    every: { type: 'string', default: '50' },
    'warm-up': { type: 'string', default: '100' },
    'stats-ms': { type: 'string', default: '1000' },
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

const PREFIX = 'isolens-bench-soak-';
const client = testClient();
const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const total = (sample: SoakSample) => Object.values(sample.handles).reduce((a, b) => a + b, 0);

await ensureTestImage(client);
await removeTestContainers(client, PREFIX);
const api = await createLiveApi({ statsIntervalMs: Number(values['stats-ms']) });
api.subscribe(() => undefined);
console.log(`bench:soak: ${cycles} start/stop cycles, a sample every ${every}, warm-up ${warmUp}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('cycle  elapsed s  RSS MiB  heap MiB  external MiB  handles  descriptors  subscribers');
let samples: SoakSample[] = [];
try {
  samples = await soak({
    api,
    client,
    name: `${PREFIX}cycling`,
    cycles,
    every,
    settleMs: Number(values['stats-ms']) * 5,
    onSample: (s) =>
      console.log(
        `${String(s.cycle).padStart(5)}  ${(s.elapsedMs / 1000).toFixed(0).padStart(9)}  ${mib(s.rssBytes).padStart(7)}  ${mib(s.heapUsedBytes).padStart(8)}  ${mib(s.externalBytes).padStart(12)}  ${String(total(s)).padStart(7)}  ${String(s.openDescriptors).padStart(11)}  ${String(s.sessionSubscribers).padStart(11)}`,
      ),
  });
} finally {
  await api.close();
  await removeTestContainers(client, PREFIX);
}

const warm = samples.find((s) => s.cycle === warmUp)!;
const last = samples.at(-1)!;
const after = samples.filter((s) => s.cycle >= warmUp);
const change = (last.rssBytes - warm.rssBytes) / warm.rssBytes;
const spread = (Math.max(...after.map((s) => s.rssBytes)) - Math.min(...after.map((s) => s.rssBytes))) / warm.rssBytes;
console.log('');
console.log(`RSS after warm-up (cycle ${warmUp}) ${mib(warm.rssBytes)} MiB, at cycle ${last.cycle} ${mib(last.rssBytes)} MiB: ${(change * 100).toFixed(1)} % (ratio ${(last.rssBytes / warm.rssBytes).toFixed(3)})`);
console.log(`RSS spread over cycles ${warmUp}–${last.cycle}: ${(spread * 100).toFixed(1)} % of the warm-up figure; ${Math.abs(change) <= 0.1 && spread <= 0.1 ? 'flat within 10 %' : 'NOT flat within 10 %'}`);
const settled = samples.find((s) => s.cycle >= cycles / 2)!;
console.log(`RSS from cycle ${settled.cycle} (half-way) ${mib(settled.rssBytes)} MiB to the end: ${(((last.rssBytes - settled.rssBytes) / settled.rssBytes) * 100).toFixed(1)} %`);
console.log(`heap after warm-up ${mib(warm.heapUsedBytes)} MiB, at the end ${mib(last.heapUsedBytes)} MiB; external ${mib(warm.externalBytes)} → ${mib(last.externalBytes)} MiB; handles grown: ${JSON.stringify(handleGrowth(warm, last))}; descriptors ${warm.openDescriptors} → ${last.openDescriptors}`);
console.log(`${(last.elapsedMs / last.cycle).toFixed(0)} ms per cycle; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
