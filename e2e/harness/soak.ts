// Container start/stop cycles under a running live API (session + 1 Hz stats), with what a leak would show taken every
// few cycles: RSS and heap, the event loop's active handles by kind (timers, sockets, pipes), open descriptors, the
// session's subscribers and the containers that carry the test label. Shared by `npm run bench:soak` and the CI test.
import { readdirSync, readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';
import type { LiveApi } from '../../app/poller/live.js';
import { startContainer, TEST_LABEL, type StartedContainer } from './engine.js';
import { until } from './until.js';

export interface SoakSample {
  cycle: number;
  elapsedMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** What V8 has reserved for the heap (heapUsed plus free pages it keeps). */
  heapTotalBytes: number;
  /** Memory outside the JS heap that V8 knows of (Buffers, ArrayBuffers): what RSS growth with a flat heap may be. */
  externalBytes: number;
  /** The part of external held by ArrayBuffers (Buffers included). */
  arrayBuffersBytes: number;
  /** RSS split by the kernel (/proc/self/status): anonymous memory (heaps, malloc) vs file pages (the node binary's code). */
  rssAnonBytes: number;
  rssFileBytes: number;
  /** process.getActiveResourcesInfo() counted by kind: Timeout, PipeWrap, TCPWrap … */
  handles: Record<string, number>;
  openDescriptors: number;
  sessionSubscribers: number;
  /** The live API's own subscribers. */
  apiListeners: number;
  /** Entries of each per-container map of the session, rebuilder and sampler (LiveApi.retainedKeys). */
  retained: Record<string, number>;
  /** The maps that still hold the cycled container's id (none should: it is stopped when sampled). */
  retainingCycled: string[];
  /** Anonymous RSS by what holds it (/proc/self/smaps): V8's heap pages, glibc's malloc arenas, the rest. */
  anonymous: AnonymousBreakdown;
  /**
   * RSS once V8 has also given back the heap pages it pools (a last-resort GC, as under memory pressure): what the
   * process needs, where rssBytes also holds the heap's high-water mark. Null without --expose-gc.
   */
  rssAfterReleaseBytes: number | null;
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
  /** Start the cycled container; a labelled test container by default (bench:soak labels its own: bench/containers.ts). */
  start?: (name: string) => Promise<StartedContainer>;
}

export interface AnonymousBreakdown {
  /** Anonymous 256 KiB mappings: V8's regular heap pages, pooled ones included (heapTotal counts only those in use). */
  v8PagesBytes: number;
  /** The main arena ([heap], brk) plus the per-thread arenas (64 MiB-aligned reservations of 64 MiB). */
  mallocBytes: number;
  mallocArenas: number;
  otherBytes: number;
}

const ARENA_BYTES = 64 * 1024 * 1024;

/**
 * Anonymous RSS split by mapping shape. glibc gives each thread that allocates (V8's workers, libuv's pool) an arena of
 * its own, up to 8 per core, and keeps freed memory in it: growth there with a flat JS heap is allocator retention.
 */
export function anonymousBreakdown(smaps = readFileSync('/proc/self/smaps', 'utf8')): AnonymousBreakdown {
  const maps: Array<{ start: number; end: number; perm: string; anonymous: boolean; name: string; rssBytes: number }> = [];
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      maps.push({ start: parseInt(head[1]!, 16), end: parseInt(head[2]!, 16), perm: head[3]!, anonymous: head[4] === '0', name: head[5]!.trim(), rssBytes: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && maps.length > 0) maps.at(-1)!.rssBytes = Number(rss[1]) * 1024;
  }
  const out: AnonymousBreakdown = { v8PagesBytes: 0, mallocBytes: 0, mallocArenas: 0, otherBytes: 0 };
  maps.forEach((map, index) => {
    if (!map.anonymous || map.rssBytes === 0) return;
    const next = maps[index + 1];
    const reserved = map.end - map.start + (next && next.start === map.end && next.perm.startsWith('---') ? next.end - next.start : 0);
    if (map.name === '[heap]') out.mallocBytes += map.rssBytes;
    else if (map.name === '' && map.perm.startsWith('rw') && map.start % ARENA_BYTES === 0 && reserved === ARENA_BYTES) {
      out.mallocBytes += map.rssBytes;
      out.mallocArenas++;
    } else if (map.name === '' && map.end - map.start === 256 * 1024) out.v8PagesBytes += map.rssBytes;
    else out.otherBytes += map.rssBytes;
  });
  return out;
}

/** RssAnon and RssFile from /proc/self/status, in bytes (0 where the kernel does not say). */
export function rssSplit(status = readFileSync('/proc/self/status', 'utf8')): { anonBytes: number; fileBytes: number } {
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { anonBytes: kib('RssAnon'), fileBytes: kib('RssFile') };
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
  const first = await (options.start ?? ((named: string) => startContainer(named, {}, client)))(name);
  const countRetained = () => {
    const keys = api.retainedKeys();
    return {
      retained: Object.fromEntries(Object.entries(keys).map(([map, ids]) => [map, ids.length])),
      retainingCycled: Object.entries(keys).filter(([, ids]) => ids.includes(first.id)).map(([map]) => map),
    };
  };
  const container = client.getContainer(first.id);
  const inSnapshot = () => (api.session.latest()?.containers ?? []).some((c) => c.id === first.id);
  const take = async (cycle: number) => {
    // Measured at rest: the stop has been seen and the snapshot no longer has the container.
    await until('the stopped container to leave the snapshot', () => !inSnapshot(), 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    const gc = (globalThis as { gc?: (options?: { type: string; execution: string; flavor: string }) => void }).gc;
    gc?.();
    const labelled = await client.listContainers({ all: true, filters: { label: [TEST_LABEL] } });
    const memory = process.memoryUsage();
    const split = rssSplit();
    const sample: SoakSample = {
      cycle,
      elapsedMs: Date.now() - started,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      arrayBuffersBytes: memory.arrayBuffers,
      rssAnonBytes: split.anonBytes,
      rssFileBytes: split.fileBytes,
      handles: countHandles(),
      openDescriptors: readdirSync('/proc/self/fd').length,
      sessionSubscribers: api.session.subscriberCount(),
      apiListeners: api.listenerCount(),
      ...countRetained(),
      anonymous: anonymousBreakdown(),
      rssAfterReleaseBytes: gc ? (gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }), process.memoryUsage().rss) : null,
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
