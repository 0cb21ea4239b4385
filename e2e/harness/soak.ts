// Container start/stop cycles under a running live API (session + 1 Hz stats), with what a leak would show taken every
// few cycles: RSS and heap, the event loop's active handles by kind (timers, sockets, pipes), open descriptors, the
// session's subscribers and the containers that carry the test label. Shared by `npm run bench:soak` and the CI test.
import { readdirSync } from 'node:fs';
import type Dockerode from 'dockerode';
import type { LiveApi } from '../../app/poller/live.js';
import { startContainer, TEST_LABEL } from './engine.js';
import { until } from './until.js';

export interface SoakSample {
  cycle: number;
  elapsedMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Memory outside the JS heap that V8 knows of (Buffers, ArrayBuffers): what RSS growth with a flat heap may be. */
  externalBytes: number;
  /** process.getActiveResourcesInfo() counted by kind: Timeout, PipeWrap, TCPWrap … */
  handles: Record<string, number>;
  openDescriptors: number;
  sessionSubscribers: number;
  /** Containers with the io.isolens.owner label, running or not. */
  labelledContainers: number;
  /** Whether the live API's last snapshot has the cycling container (it should not: it is stopped when sampled). */
  containerInSnapshot: boolean;
}

export interface SoakOptions {
  api: LiveApi;
  client: Dockerode;
  name: string;
  cycles: number;
  /** Take a sample every this many cycles (and after cycle 0). */
  every: number;
  onSample?: (sample: SoakSample) => void;
  /**
   * How long to wait at rest before a sample: more than one stats tick, so the sampler has usually dropped the stopped
   * container's kept descriptors (it does on its next tick; a loaded machine may delay it, so compare two samples).
   */
  settleMs: number;
}

function countHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Run the cycles; the container is created here and removed before it returns, whatever happens. */
export async function soak(options: SoakOptions): Promise<SoakSample[]> {
  const { api, client, name, cycles, every } = options;
  const started = Date.now();
  const samples: SoakSample[] = [];
  const first = await startContainer(name, {}, client);
  const container = client.getContainer(first.id);
  const inSnapshot = () => (api.session.latest()?.containers ?? []).some((c) => c.id === first.id);
  const take = async (cycle: number) => {
    // Measured at rest: the stop has been seen and the snapshot no longer has the container.
    await until('the stopped container to leave the snapshot', () => !inSnapshot(), 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    (globalThis as { gc?: () => void }).gc?.();
    const labelled = await client.listContainers({ all: true, filters: { label: [TEST_LABEL] } });
    const memory = process.memoryUsage();
    const sample: SoakSample = {
      cycle,
      elapsedMs: Date.now() - started,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      handles: countHandles(),
      openDescriptors: readdirSync('/proc/self/fd').length,
      sessionSubscribers: api.session.subscriberCount(),
      labelledContainers: labelled.length,
      containerInSnapshot: inSnapshot(),
    };
    samples.push(sample);
    options.onSample?.(sample);
  };
  try {
    // Seen once by the live API, so the cycles run against a session that knows the container.
    await until('the container in the snapshot', inSnapshot, 30_000, 50);
    await container.stop({ t: 0 });
    await take(0);
    for (let cycle = 1; cycle <= cycles; cycle++) {
      await container.start();
      await container.stop({ t: 0 });
      if (cycle % every === 0 || cycle === cycles) await take(cycle);
    }
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
  return samples;
}

/** The growth of a count between two samples, by kind; kinds that did not grow are left out. */
export function handleGrowth(from: SoakSample, to: SoakSample): Record<string, number> {
  const growth: Record<string, number> = {};
  for (const [kind, count] of Object.entries(to.handles)) {
    const grown = count - (from.handles[kind] ?? 0);
    if (grown > 0) growth[kind] = grown;
  }
  return growth;
}
