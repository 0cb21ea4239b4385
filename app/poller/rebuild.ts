// Incremental rebuilds for the engine session: each refresh probes every container's run-time-changeable kernel facts
// cheaply (capabilities, seccomp, credentials in status; mounts; LSM label) and collects and assesses again only the
// containers whose inspect document or probe changed. Every `fullEvery`-th rebuild, and any after a reconnect, is full.
import { isDeepStrictEqual } from 'node:util';
import type { ContainerIsolation, EngineInfo, Snapshot } from '../model/schema.js';
import type { InspectDocument } from '../collect/config.js';
import { readScanContextOf, snapshotFromInspects } from '../collect/scan.js';
import { kernelUnreadableReason, processOf, type KernelFile, type KernelSource } from '../kernel/source.js';
import type { ReadResult } from '../kernel/read.js';
import { assessSnapshot, type AssessOptions } from '../assess.js';
import { compareText } from '../model/collation.js';

interface Cached {
  inspect: InspectDocument;
  inspectKey: string;
  probe: string;
  container: ContainerIsolation;
}

/** The status lines a running process can change that isolation depends on (not its memory or context switches). */
const STABLE_STATUS_LINE = /^(?:Cap\w+|Seccomp\w*|NoNewPrivs|Uid|Gid|Groups|PPid|NSpid):/;

/**
 * Containers collected and assessed between two turns of the event loop. A local source reads synchronously, so a full
 * rebuild of 1,000 containers in one go held the loop for about 2 s (the 1 Hz stats and HTTP waited); in slices of
 * this many, no slice takes more than some 100 ms there.
 */
export const COLLECT_SLICE = 50;
/** The refresh's probe of every container (three reads each, about a tenth of a collect) goes in slices this much larger. */
const PROBE_SLICE_FACTOR = 5;

/** Let timers and I/O run (setImmediate comes after the loop's timers and poll phases). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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
    /** Containers collected per turn of the event loop (COLLECT_SLICE); the probe takes five times as many. */
    private readonly collectSlice = COLLECT_SLICE,
  ) {}

  /**
   * The snapshot of these running containers. `probe: false` (an engine event: a container started or stopped) probes
   * only the containers whose inspect document is new or changed and keeps the rest as they are; the periodic refresh
   * probes them all, for what changes without an event. Only probing rebuilds count towards the full one.
   */
  async rebuild(inspects: readonly InspectDocument[], engine: EngineInfo, options: { probe?: boolean } = {}): Promise<Snapshot> {
    const probeAll = options.probe !== false;
    const due = probeAll && this.rebuilds++ % this.fullEvery === 0;
    const full = due || engine !== this.engine;
    this.engine = engine;
    const kept: ContainerIsolation[] = [];
    const changed: InspectDocument[] = [];
    const toProbe = full || probeAll ? inspects : inspects.filter((inspect) => {
      const cached = this.cache.get(inspect.Id);
      return !cached || !this.sameInspect(cached, inspect);
    });
    // Probed together: a helper source answers them all in one batch. A local one reads synchronously, in slices.
    const slice = this.source.readTextSync ? this.collectSlice * PROBE_SLICE_FACTOR : toProbe.length;
    const probes = new Map<string, string>();
    for (let start = 0; start < toProbe.length; start += slice) {
      if (start > 0) await yieldToEventLoop();
      const part = toProbe.slice(start, start + slice);
      const probed = await Promise.all(part.map((inspect) => this.probe(inspect, engine)));
      part.forEach((inspect, index) => probes.set(inspect.Id, probed[index]!));
    }
    for (const inspect of inspects) {
      const cached = this.cache.get(inspect.Id);
      // Not probed: cached with the same document (see toProbe).
      const probe = probes.get(inspect.Id) ?? cached!.probe;
      probes.set(inspect.Id, probe);
      if (!full && cached && cached.probe === probe && this.sameInspect(cached, inspect)) kept.push(cached.container);
      else changed.push(inspect);
    }
    // The host-wide facts are read once for all slices, as one scan would.
    const size = this.collectSlice;
    const context = changed.length > size ? await readScanContextOf(this.source) : undefined;
    // At least one slice, even of no containers: its snapshot carries the engine and host parts of the result.
    const collected: ContainerIsolation[] = [];
    let assessed: Snapshot;
    let start = 0;
    do {
      if (start > 0) await yieldToEventLoop();
      assessed = assessSnapshot(await snapshotFromInspects(changed.slice(start, start + size), engine, { source: this.source, context }), this.assess);
      collected.push(...assessed.containers);
      start += size;
    } while (start < changed.length);
    const byId = new Map(changed.map((inspect) => [inspect.Id, inspect]));
    for (const [index, fresh] of collected.entries()) {
      const inspect = byId.get(fresh.id)!;
      // Collected again with the same result (a full rebuild, mostly): the previous object is handed back, so what
      // keys on it (the session's change detection, the history recorder's versions) sees no change and does no work.
      const previous = this.cache.get(fresh.id)?.container;
      const container = previous && isDeepStrictEqual(previous, fresh) ? previous : fresh;
      collected[index] = container;
      this.cache.set(container.id, { inspect, inspectKey: JSON.stringify(inspect), probe: probes.get(container.id)!, container });
    }
    const live = new Set(inspects.map((inspect) => inspect.Id));
    for (const id of [...this.cache.keys()]) if (!live.has(id)) this.cache.delete(id);
    for (const id of [...this.probeFiles.keys()]) if (!live.has(id)) this.closeProbe(id);
    this.lastCollected = changed.length;
    const containers = [...kept, ...collected].sort((a, b) => compareText(a.name, b.name));
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
