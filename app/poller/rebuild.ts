// Incremental rebuilds for the engine session: each refresh probes every container's run-time-changeable kernel facts
// cheaply (capabilities, seccomp, credentials in status; mounts; LSM label) and collects and assesses again only the
// containers whose inspect document or probe changed. Every `fullEvery`-th rebuild, and any after a reconnect, is full.
import type { ContainerIsolation, EngineInfo, Snapshot } from '../model/schema.js';
import type { InspectDocument } from '../collect/config.js';
import { snapshotFromInspects } from '../collect/scan.js';
import { kernelUnreadableReason, processOf, type KernelFile, type KernelSource } from '../kernel/source.js';
import type { ReadResult } from '../kernel/read.js';
import { assessSnapshot, type AssessOptions } from '../assess.js';

interface Cached {
  inspect: InspectDocument;
  inspectKey: string;
  probe: string;
  container: ContainerIsolation;
}

/** The status lines a running process can change that isolation depends on (not its memory or context switches). */
const STABLE_STATUS_LINE = /^(?:Cap\w+|Seccomp\w*|NoNewPrivs|Uid|Gid|Groups|PPid|NSpid):/;

/** The files a probe reads, per process. */
const PROBED_FILES = ['status', 'mountinfo', 'attr/current'] as const;

/** A container's probed files held open (pread each refresh: one system call instead of four), for one PID. */
interface ProbeFiles {
  pid: number;
  files: Array<KernelFile | null>;
}

function text(result: ReadResult<string>): string {
  return result.ok ? result.value : `!${result.reason}`;
}

export class IncrementalRebuilder {
  private readonly cache = new Map<string, Cached>();
  private readonly probeFiles = new Map<string, ProbeFiles>();
  private rebuilds = 0;
  private engine: EngineInfo | null = null;
  /** How many containers the last rebuild collected again (for tests and the bench). */
  lastCollected = 0;

  constructor(
    private readonly source: KernelSource,
    private readonly assess: AssessOptions = {},
    private readonly fullEvery = 12,
  ) {}

  async rebuild(inspects: readonly InspectDocument[], engine: EngineInfo): Promise<Snapshot> {
    const full = this.rebuilds++ % this.fullEvery === 0 || engine !== this.engine;
    this.engine = engine;
    const kept: ContainerIsolation[] = [];
    const changed: InspectDocument[] = [];
    const probes = new Map<string, string>();
    // Probed together: a helper source answers them all in one batch (a local one reads them synchronously anyway).
    const probed = await Promise.all(inspects.map((inspect) => this.probe(inspect, engine)));
    for (const [index, inspect] of inspects.entries()) {
      const probe = probed[index]!;
      probes.set(inspect.Id, probe);
      const cached = this.cache.get(inspect.Id);
      if (!full && cached && cached.probe === probe && this.sameInspect(cached, inspect)) kept.push(cached.container);
      else changed.push(inspect);
    }
    const facts = await snapshotFromInspects(changed, engine, { source: this.source });
    const assessed = assessSnapshot(facts, this.assess);
    const byId = new Map(changed.map((inspect) => [inspect.Id, inspect]));
    for (const container of assessed.containers) {
      const inspect = byId.get(container.id)!;
      this.cache.set(container.id, { inspect, inspectKey: JSON.stringify(inspect), probe: probes.get(container.id)!, container });
    }
    const live = new Set(inspects.map((inspect) => inspect.Id));
    for (const id of [...this.cache.keys()]) if (!live.has(id)) this.cache.delete(id);
    for (const id of [...this.probeFiles.keys()]) if (!live.has(id)) this.closeProbe(id);
    this.lastCollected = changed.length;
    const containers = [...kept, ...assessed.containers].sort((a, b) => a.name.localeCompare(b.name));
    return { ...assessed, containers };
  }

  /** The same document, or a new object with the same content (a re-list replaces every document). */
  private sameInspect(cached: Cached, inspect: InspectDocument): boolean {
    if (cached.inspect === inspect) return true;
    if (cached.inspectKey !== JSON.stringify(inspect)) return false;
    cached.inspect = inspect;
    return true;
  }

  /** The container ids each per-container map holds: what a soak compares across start/stop cycles. */
  retainedKeys(): Record<string, string[]> {
    return { 'rebuild.cache': [...this.cache.keys()], 'rebuild.probeFiles': [...this.probeFiles.keys()] };
  }

  /** Close every descriptor the probes hold (the cache stays; the next probe opens them again). Idempotent. */
  close(): void {
    for (const id of [...this.probeFiles.keys()]) this.closeProbe(id);
  }

  private closeProbe(id: string): void {
    for (const file of this.probeFiles.get(id)?.files ?? []) file?.close();
    this.probeFiles.delete(id);
  }

  private async probe(inspect: InspectDocument, engine: EngineInfo): Promise<string> {
    const pid = inspect.State?.Pid;
    if (!pid || pid <= 0 || kernelUnreadableReason(this.source, engine) !== null) return 'no process';
    const process = processOf(this.source, pid);
    const [status, mountinfo, label] = this.source.readTextSync
      ? this.probeSync(inspect.Id, pid)
      : await Promise.all(PROBED_FILES.map((name) => process.readText(name)));
    const stable = status!.ok ? status!.value.split('\n').filter((line) => STABLE_STATUS_LINE.test(line)).join('\n') : text(status!);
    return `${pid}\n${stable}\n${text(mountinfo!)}\n${text(label!)}`;
  }

  /** Local sources: through descriptors kept open per container process, by path where none could be opened. */
  private probeSync(id: string, pid: number): Array<ReadResult<string>> {
    const readTextSync = this.source.readTextSync!;
    const process = processOf(this.source, pid);
    let held = this.probeFiles.get(id);
    if (held && held.pid !== pid) {
      this.closeProbe(id);
      held = undefined;
    }
    if (!held) {
      const openSync = this.source.openSync;
      held = { pid, files: PROBED_FILES.map((name) => (openSync ? openedOrNull(openSync(process.path(name))) : null)) };
      this.probeFiles.set(id, held);
    }
    const files = held.files;
    const results = PROBED_FILES.map((name, index) => files[index]?.read() ?? readTextSync(process.path(name)));
    // A descriptor pins the process it was opened on: once that is gone, drop them (the PID may come back as another).
    if (results.some((result) => !result.ok && result.reason === 'vanished')) this.closeProbe(id);
    return results;
  }
}

function openedOrNull(opened: ReadResult<KernelFile>): KernelFile | null {
  return opened.ok ? opened.value : null;
}
