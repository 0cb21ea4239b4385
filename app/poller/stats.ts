// Live usage per container from cgroupfs and /proc/PID/net/dev (not the engine's stats endpoint), with a 5-minute history.
//
// The files to read are worked out once per container process (from its /proc/PID/cgroup), not every second. On a
// local source they are then kept open and read with pread (openSync): about ten system calls per container per
// second, no promises, no fresh buffers. Other sources (a helper container) get one readMany batch per sample.
import type { LiveStats } from '../model/live.js';
import { cgroupUsagePlan, type CgroupReadPlan, type CgroupUsage } from '../kernel/cgroup.js';
import { parseNetDev, sumExceptLoopback } from '../kernel/netdev.js';
import { pidBelongsToContainer } from '../kernel/facts.js';
import { processOf, type KernelFile, type KernelRequest, type KernelSource } from '../kernel/source.js';
import type { ReadResult } from '../kernel/read.js';

/** Five minutes at one sample a second. */
export const HISTORY_LENGTH = 300;
/** The window a history covers, however often its container is sampled (every 10 s when no viewer shows it). */
export const HISTORY_MS = 300_000;

/** Descriptors the sampler may keep open (about ten per container); beyond that it reads by path. */
const DEFAULT_DESCRIPTOR_BUDGET = 8192;

interface Previous {
  atMs: number;
  cpuUsageUs: number | null;
}

/**
 * The samples of the last HISTORY_MS, at most HISTORY_LENGTH: memory stays bounded however long the app runs, and a
 * container sampled every 10 s holds 30 samples, not 300. Circular, so a push moves nothing.
 */
class Ring {
  private items: LiveStats[] = [];
  private start = 0;
  private size = 0;
  push(sample: LiveStats): void {
    while (this.size > 0 && this.items[this.start]!.atMs <= sample.atMs - HISTORY_MS) this.drop();
    if (this.size === HISTORY_LENGTH) this.drop();
    // Appends until the array holds HISTORY_LENGTH (the index is then at most its length), then wraps.
    this.items[(this.start + this.size) % HISTORY_LENGTH] = sample;
    this.size++;
  }
  all(): LiveStats[] {
    const out: LiveStats[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.start + i) % HISTORY_LENGTH]!);
    return out;
  }
  private drop(): void {
    this.start = (this.start + 1) % HISTORY_LENGTH;
    this.size--;
    if (this.size === 0) {
      this.items = [];
      this.start = 0;
    }
  }
}

/** What is kept per container process between samples. */
interface Tracked {
  pid: number;
  plan: CgroupReadPlan<CgroupUsage>;
  /** The plan's paths, then net/dev. */
  paths: string[];
  /** Open descriptors for those paths (local sources), null where none is kept. */
  files: Array<KernelFile | null>;
}

export interface StatsSamplerOptions {
  /** The clock, for tests. */
  now?: () => number;
  descriptorBudget?: number;
}

export class StatsSampler {
  private readonly previous = new Map<string, Previous>();
  private readonly histories = new Map<string, Ring>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly now: () => number;
  private descriptorsLeft: number;

  constructor(
    private readonly source: KernelSource,
    options: StatsSamplerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.descriptorsLeft = options.descriptorBudget ?? DEFAULT_DESCRIPTOR_BUDGET;
  }

  history(id: string): LiveStats[] {
    return this.histories.get(id)?.all() ?? [];
  }

  /** The container ids each per-container map holds: what a soak compares across start/stop cycles. */
  retainedKeys(): Record<string, string[]> {
    return { 'stats.previous': [...this.previous.keys()], 'stats.histories': [...this.histories.keys()], 'stats.tracked': [...this.tracked.keys()] };
  }

  forget(id: string): void {
    this.previous.delete(id);
    this.histories.delete(id);
    this.untrack(id);
  }

  /** Close every kept descriptor (histories stay). */
  close(): void {
    for (const id of [...this.tracked.keys()]) this.untrack(id);
  }

  /** Forget everything: descriptors, histories and previous counters (nobody is watching; memory goes back). */
  reset(): void {
    for (const id of [...this.histories.keys()]) this.forget(id);
    this.close();
    this.previous.clear();
  }

  /**
   * One sample for each target; containers whose process vanished are skipped this round. `running` lists every
   * container still running (the targets by default): histories and descriptors of the others are dropped, while those
   * of a running container that is not sampled this round are kept.
   */
  async sample(targets: ReadonlyArray<{ id: string; pid: number }>, running?: ReadonlySet<string>): Promise<LiveStats[]> {
    const live = running ?? new Set(targets.map((t) => t.id));
    for (const id of [...this.histories.keys()]) if (!live.has(id)) this.forget(id);
    for (const id of [...this.tracked.keys()]) if (!live.has(id)) this.untrack(id);
    const readTextSync = this.source.readTextSync;
    if (readTextSync) {
      const out: LiveStats[] = [];
      for (const target of targets) {
        const sample = this.sampleSync(target.id, target.pid, readTextSync);
        if (sample) out.push(sample);
      }
      return out;
    }
    return this.sampleBatched(targets);
  }

  // ---- local sources: synchronous, descriptors kept open --------------------------------------------------------

  private sampleSync(id: string, pid: number, readTextSync: (path: string) => ReadResult<string>): LiveStats | null {
    let tracked = this.tracked.get(id);
    if (!tracked || tracked.pid !== pid) {
      this.untrack(id);
      const procCgroup = readTextSync(processOf(this.source, pid).path('cgroup'));
      if (!procCgroup.ok) return null;
      const made = this.track(id, pid, procCgroup.value);
      if (!made) return null;
      tracked = made;
    }
    const texts = tracked.paths.map((path, index) => tracked.files[index]?.read() ?? readTextSync(path));
    // A kept descriptor fails as vanished once its process or cgroup is gone, PID reuse included: start over next time.
    if (texts.some((text) => !text.ok && text.reason === 'vanished')) {
      this.untrack(id);
      return null;
    }
    return this.record(id, tracked, texts);
  }

  private track(id: string, pid: number, procCgroupText: string): Tracked | null {
    if (!pidBelongsToContainer(procCgroupText, id)) return null;
    const plan = cgroupUsagePlan(procCgroupText, this.source.roots.cgroup);
    const paths = [...plan.requests.map((request) => request.path), processOf(this.source, pid).path('net/dev')];
    const files = paths.map((path) => {
      if (!this.source.openSync || this.descriptorsLeft <= 0) return null;
      const opened = this.source.openSync(path);
      if (!opened.ok) return null; // read by path instead: the plan turns a missing file into a null fact
      this.descriptorsLeft--;
      return opened.value;
    });
    const tracked: Tracked = { pid, plan, paths, files };
    this.tracked.set(id, tracked);
    return tracked;
  }

  private untrack(id: string): void {
    const tracked = this.tracked.get(id);
    if (!tracked) return;
    for (const file of tracked.files) {
      if (!file) continue;
      file.close();
      this.descriptorsLeft++;
    }
    this.tracked.delete(id);
  }

  // ---- other sources: one batch per sample ----------------------------------------------------------------------

  private async sampleBatched(targets: ReadonlyArray<{ id: string; pid: number }>): Promise<LiveStats[]> {
    const known: Tracked[] = [];
    const ids: string[] = [];
    await Promise.all(
      targets.map(async ({ id, pid }) => {
        let tracked = this.tracked.get(id);
        if (!tracked || tracked.pid !== pid) {
          this.untrack(id);
          const procCgroup = await processOf(this.source, pid).readText('cgroup');
          if (!procCgroup.ok) return;
          tracked = this.track(id, pid, procCgroup.value) ?? undefined;
        }
        if (tracked) {
          known.push(tracked);
          ids.push(id);
        }
      }),
    );
    const requests: KernelRequest[] = known.flatMap((tracked) => tracked.paths.map((path) => ({ op: 'text' as const, path })));
    const answers = (await this.source.readMany(requests)) as ReadResult<string>[];
    const out: LiveStats[] = [];
    let next = 0;
    known.forEach((tracked, index) => {
      const texts = answers.slice(next, next + tracked.paths.length);
      next += tracked.paths.length;
      const id = ids[index]!;
      // The process file comes last: if it vanished the PID may be reused by now, so re-check next time.
      if (!texts.at(-1)!.ok && (texts.at(-1) as { reason: string }).reason === 'vanished') return this.untrack(id);
      const sample = this.record(id, tracked, texts);
      if (sample) out.push(sample);
    });
    return out;
  }

  // ---- the numbers ----------------------------------------------------------------------------------------------

  private record(id: string, tracked: Tracked, texts: ReadonlyArray<ReadResult<string>>): LiveStats | null {
    const usage = tracked.plan.finish(texts.slice(0, -1));
    const netDev = texts.at(-1)!;
    const atMs = this.now();
    const before = this.previous.get(id);
    const cpuUsageUs = usage.cpuUsageUs;
    let cpuPercent: number | null = null;
    if (before && before.cpuUsageUs !== null && cpuUsageUs !== null && atMs > before.atMs) {
      cpuPercent = Math.max(0, ((cpuUsageUs - before.cpuUsageUs) / ((atMs - before.atMs) * 1000)) * 100);
    }
    this.previous.set(id, { atMs, cpuUsageUs });
    const network = netDev.ok ? sumExceptLoopback(parseNetDev(netDev.value)) : null;
    const sample: LiveStats = {
      id,
      atMs,
      cpuPercent,
      memoryBytes: usage.memoryBytes,
      memoryLimitBytes: usage.memoryLimitBytes,
      pids: usage.pids,
      pidsLimit: usage.pidsLimit,
      networkRxBytes: network?.receiveBytes ?? null,
      networkTxBytes: network?.transmitBytes ?? null,
      blockReadBytes: usage.blockReadBytes,
      blockWriteBytes: usage.blockWriteBytes,
      cpuThrottledPeriods: usage.cpuThrottledPeriods,
      cpuThrottledUs: usage.cpuThrottledUs,
      oomKills: usage.oomKills,
      pidsMaxHits: usage.pidsMaxHits,
    };
    let ring = this.histories.get(id);
    if (!ring) this.histories.set(id, (ring = new Ring()));
    ring.push(sample);
    return sample;
  }
}
