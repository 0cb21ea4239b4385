// Start/stop cycles of a real container while the live API runs (session, events, 1 Hz stats with kept descriptors):
// nothing grows with the cycles (timers, sockets, descriptors, subscribers, containers). The 1,000-cycle run with its
// RSS figures is `npm run bench:soak`; this is the short version CI can afford.
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

  it('no crash, and no timers, sockets, descriptors, subscribers or containers left over by the cycles', { timeout: 240_000 }, async () => {
    const before = (await client.listContainers({ all: true })).length;
    samples = await soak({ api, client, name: `${PREFIX}cycling`, cycles: CYCLES, every: WARM_UP });
    const warm = samples.find((s) => s.cycle === WARM_UP)!;
    const last = samples.at(-1)!;
    expect(last.cycle).toBe(CYCLES);
    // A per-cycle leak would add ~40 of something; the slack is for one timer or socket in flight at the sampling moment.
    const grown = handleGrowth(warm, last);
    for (const [kind, count] of Object.entries(grown)) expect(count, `${kind}: ${JSON.stringify(samples.map((s) => s.handles[kind] ?? 0))}`).toBeLessThanOrEqual(2);
    expect(last.openDescriptors - warm.openDescriptors, JSON.stringify(samples.map((s) => s.openDescriptors))).toBeLessThanOrEqual(2);
    expect(last.sessionSubscribers).toBe(warm.sessionSubscribers);
    expect(api.session.engineState().status).toBe('connected');
    // The cycled container is removed by the harness; Isolens itself created none.
    await removeTestContainers(client, PREFIX);
    expect((await client.listContainers({ all: true })).length).toBe(before);
  });
});
