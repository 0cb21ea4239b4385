// Live usage per container from cgroupfs and /proc/PID/net/dev (not the engine's stats endpoint), with a 5-minute history.
import type { LiveStats } from '../model/live.js';
import { readCgroupUsage } from '../kernel/cgroup.js';
import { parseNetDev, sumExceptLoopback } from '../kernel/netdev.js';
import { pidBelongsToContainer } from '../kernel/facts.js';
import { processOf, type KernelSource } from '../kernel/source.js';

/** Five minutes at one sample a second. */
export const HISTORY_LENGTH = 300;

interface Previous {
  atMs: number;
  cpuUsageUs: number | null;
}

/** A fixed-size ring of samples: memory stays bounded however long the app runs. */
class Ring {
  private readonly items: LiveStats[] = [];
  push(sample: LiveStats): void {
    this.items.push(sample);
    if (this.items.length > HISTORY_LENGTH) this.items.splice(0, this.items.length - HISTORY_LENGTH);
  }
  all(): LiveStats[] {
    return [...this.items];
  }
}

export class StatsSampler {
  private readonly previous = new Map<string, Previous>();
  private readonly histories = new Map<string, Ring>();

  constructor(private readonly source: KernelSource) {}

  history(id: string): LiveStats[] {
    return this.histories.get(id)?.all() ?? [];
  }

  forget(id: string): void {
    this.previous.delete(id);
    this.histories.delete(id);
  }

  /** One sample for each container; containers whose process vanished are skipped this round. */
  async sample(targets: ReadonlyArray<{ id: string; pid: number }>): Promise<LiveStats[]> {
    const live = new Set(targets.map((t) => t.id));
    for (const id of [...this.histories.keys()]) if (!live.has(id)) this.forget(id);
    const results = await Promise.all(targets.map((t) => this.sampleOne(t.id, t.pid)));
    return results.filter((s): s is LiveStats => s !== null);
  }

  private async sampleOne(id: string, pid: number): Promise<LiveStats | null> {
    const process = processOf(this.source, pid);
    const procCgroup = await process.readText('cgroup');
    if (!procCgroup.ok || !pidBelongsToContainer(procCgroup.value, id)) return null;
    const [usage, netDev] = await Promise.all([readCgroupUsage(procCgroup.value, this.source), process.readText('net/dev')]);
    const atMs = Date.now();
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
    };
    let ring = this.histories.get(id);
    if (!ring) this.histories.set(id, (ring = new Ring()));
    ring.push(sample);
    return sample;
  }
}
