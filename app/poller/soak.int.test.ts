// Start/stop cycles of a real container while the live API runs (session, events, 1 Hz stats with kept descriptors):
// nothing grows with the cycles (timers, sockets, descriptors, subscribers, listeners, per-container map entries,
// containers). Counts only, no timing. The 1,000-cycle run with its RSS figures is `npm run bench:soak`; this is the
// short version CI can afford.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveApi, type LiveApi } from './index.js';
import { ensureTestImage, removeTestContainers, testClient } from '../../e2e/harness/engine.js';
import { handleGrowth, soak, type SoakSample } from '../../e2e/harness/soak.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-soak-';
const CYCLES = 50;
const WARM_UP = 10;
const client = testClient();

describe.skipIf(noEngine)(`${CYCLES} start/stop cycles under the live API`, () => {
  let api: LiveApi;
  let samples: SoakSample[] = [];

  beforeAll(async () => {
    await ensureTestImage(client);
    await removeTestContainers(client, PREFIX);
    // Stats every 200 ms so the sampler tracks and untracks the container across many cycles.
    api = await createLiveApi({ statsIntervalMs: 200 });
    api.subscribe(() => undefined);
  });

  afterAll(async () => {
    await api?.close();
    await removeTestContainers(client, PREFIX);
  });

  it('no crash, and no timers, sockets, descriptors, subscribers, listeners, map entries or containers left over by the cycles', { timeout: 240_000 }, async () => {
    const before = new Set((await client.listContainers({ all: true })).map((c) => c.Id));
    samples = await soak({ api, client, name: `${PREFIX}cycling`, cycles: CYCLES, every: WARM_UP, settleMs: 600 });
    const warm = samples.find((s) => s.cycle === WARM_UP)!;
    const last = samples.at(-1)!;
    // What a leak keeps stays in every later sample; what is in flight at one sampling moment does not: the lower of
    // the last two samples is the one compared.
    const [previous] = samples.slice(-2);
    const settled = (pick: (s: SoakSample) => number) => Math.min(pick(previous!), pick(last));
    expect(last.cycle).toBe(CYCLES);
    // A per-cycle leak would add ~40 of something; the slack is for one timer or socket in flight at the sampling moment.
    for (const kind of Object.keys(handleGrowth(warm, last))) {
      const grown = settled((s) => s.handles[kind] ?? 0) - (warm.handles[kind] ?? 0);
      expect(grown, `${kind}: ${JSON.stringify(samples.map((s) => s.handles[kind] ?? 0))}`).toBeLessThanOrEqual(2);
    }
    expect(settled((s) => s.openDescriptors) - warm.openDescriptors, JSON.stringify(samples.map((s) => s.openDescriptors))).toBeLessThanOrEqual(2);
    expect(last.sessionSubscribers).toBe(warm.sessionSubscribers);
    expect(last.apiListeners).toBe(warm.apiListeners);
    // Every per-container map (inspects, fingerprints, rebuild cache, probe and sampler descriptors, stats histories)
    // lets go of the stopped container: none holds its id in a settled sample, and none grew with the cycles.
    const maps = Object.keys(last.retained);
    expect(maps).toEqual(expect.arrayContaining(['session.inspects', 'rebuild.cache', 'rebuild.probeFiles', 'stats.tracked', 'stats.histories']));
    expect([previous!, last].some((s) => s.retainingCycled.length === 0), JSON.stringify(samples.map((s) => s.retainingCycled))).toBe(true);
    for (const map of maps) {
      expect(settled((s) => s.retained[map] ?? 0), `${map}: ${JSON.stringify(samples.map((s) => s.retained[map]))}`).toBeLessThanOrEqual(warm.retained[map] ?? 0);
    }
    expect(api.session.engineState().status).toBe('connected');
    // The cycled container is removed by the harness, and Isolens itself left none: nothing exists that did not before
    // (a subset, not an equal count: a previous file's auto-removed container may still be going away).
    await removeTestContainers(client, PREFIX);
    const left = (await client.listContainers({ all: true })).filter((c) => !before.has(c.Id)).map((c) => c.Names.join(','));
    expect(left).toEqual([]);
  });
});
