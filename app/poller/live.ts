// The live IsolensApi (what serve and the Electron main use): a subscriber of the engine session, plus 1 Hz stats and the lab.
import type { ApiEvent, IsolensApi, LiveMethods } from '../api.js';
import { MAX_VIEWERS, MAX_VISIBLE_CONTAINERS, UNSEEN_EVERY, VIEWER_TTL_MS } from '../model/viewers.js';
import type { LiveStats, EngineState } from '../model/live.js';
import type { Snapshot } from '../model/schema.js';
import type { InspectDocument } from '../collect/config.js';
import { snapshotDelta } from '../model/delta.js';
import { LabFacade } from '../lab/facade.js';
import { EngineSession, type SessionOptions } from './session.js';
import { StatsSampler } from './stats.js';
import { kernelUnreadableReason } from '../kernel/source.js';

/** Which of the UNSEEN_EVERY intervals a container's unseen sample falls in: fixed per id, even across the ids. */
function unseenSlot(id: string): number {
  const value = Number.parseInt(id.slice(0, 8), 16);
  return Number.isFinite(value) ? value % UNSEEN_EVERY : 0;
}

export interface LiveApiOptions extends SessionOptions {
  /** Live stats interval; 1 s by default. */
  statsIntervalMs?: number;
  /**
   * How long the stats history and open descriptors are kept after the last client leaves (a reload comes back within
   * it and keeps its charts); then they are dropped, so an unwatched serve holds no per-container sampling state. 15 s.
   */
  releaseAfterMs?: number;
  /** A session to subscribe to (shared with the exporter or history); a new one is opened and owned otherwise. */
  session?: EngineSession;
}

/** Everything but history, which app/history/api.ts adds on top (withHistory). */
export class LiveApi implements LiveMethods {
  readonly session: EngineSession;
  private readonly ownsSession: boolean;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly stats: StatsSampler;
  private readonly lab: LabFacade;
  private readonly statsIntervalMs: number;
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly releaseAfterMs: number;
  private releaseTimer: NodeJS.Timeout | null = null;
  /** Held while any client listens: the session refreshes at its watched pace. */
  private unwatch: (() => void) | null = null;
  /** The last snapshot sent to subscribers: the base of the next delta. */
  private sent: Snapshot | null = null;
  private readonly stopSession: () => void;
  /** What each viewer shows (setVisibleContainers), in the order of their last refresh, and until when it holds. */
  private readonly viewers = new Map<string, { ids: ReadonlySet<string>; untilMs: number }>();
  private ticks = 0;
  /** A sample still being read (a helper source answers asynchronously): the next tick is skipped, not stacked on it. */
  private sampling = false;

  constructor(options: LiveApiOptions = {}) {
    const { session, statsIntervalMs, releaseAfterMs, ...sessionOptions } = options;
    this.releaseAfterMs = releaseAfterMs ?? 15_000;
    this.session = session ?? new EngineSession(sessionOptions);
    this.ownsSession = !session;
    this.statsIntervalMs = statsIntervalMs ?? 1000;
    this.stats = new StatsSampler(this.session.kernelSource);
    this.lab = new LabFacade(this.session);
    this.stopSession = this.session.subscribe((event) => {
      switch (event.type) {
        case 'engine':
          this.onEngineState(event.state);
          this.emit({ type: 'engine', state: event.state });
          break;
        case 'snapshot': {
          // Whole once, then only what changed: at 500 containers a snapshot is megabytes, a quiet rebuild's delta bytes.
          const base = this.sent;
          this.sent = event.snapshot;
          this.emit(base ? { type: 'delta', delta: snapshotDelta(base, event.snapshot, event.changes) } : { type: 'snapshot', snapshot: event.snapshot });
          break;
        }
        default:
          break;
      }
    });
  }

  /** First connection attempt of an owned session; resolves connected or not. */
  start(): Promise<void> {
    return this.ownsSession ? this.session.start() : Promise.resolve();
  }

  async close(): Promise<void> {
    this.stopSession();
    this.stopStats();
    this.unwatch?.();
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.stats.close();
    await this.lab.close();
    if (this.ownsSession) {
      this.session.close();
      await this.session.closeKernelSource();
    }
    this.listeners.clear();
  }

  /** The container ids every per-container map of the session and the sampler holds (for soak tests). */
  retainedKeys(): Record<string, string[]> {
    return { ...this.session.retainedKeys(), ...this.stats.retainedKeys() };
  }

  /** How many API subscribers are attached. */
  listenerCount(): number {
    return this.listeners.size;
  }

  // ---- IsolensApi -------------------------------------------------------------------------------------------

  /**
   * The snapshot subscribers were last sent, at once: a client asks for it as it subscribes, which starts a rebuild
   * (watch), and the rebuild's outcome follows as a delta on this very snapshot. Waiting for that rebuild made the first
   * screen wait for the kernel facts of every container. Before the first scan there is none to give: that one is awaited.
   */
  getSnapshot(): Promise<Snapshot | null> {
    return this.sent ? Promise.resolve(this.sent) : this.session.snapshot();
  }

  async getInspect(id: string): Promise<unknown> {
    const inspect = this.session.inspectOf(id);
    if (!inspect) throw new Error(`no running container with id ${id}`);
    return redactInspect(inspect);
  }

  async getStatsHistory(id: string): Promise<LiveStats[]> {
    return this.stats.history(this.session.inspectOf(id)?.Id ?? id);
  }

  async setVisibleContainers(viewerId: string, ids: string[]): Promise<void> {
    // Bounded whatever the caller: validated at the transport, and capped again here for in-process callers.
    this.viewers.delete(viewerId);
    this.viewers.set(viewerId, { ids: new Set(ids.slice(0, MAX_VISIBLE_CONTAINERS)), untilMs: Date.now() + VIEWER_TTL_MS });
    while (this.viewers.size > MAX_VIEWERS) this.viewers.delete(this.viewers.keys().next().value!);
  }

  async getEngineState(): Promise<EngineState> {
    return this.session.engineState();
  }

  retryEngine(): Promise<void> {
    return this.session.retry();
  }

  /**
   * Stats are sampled only while someone listens, and the session refreshes at its watched pace only then: with no
   * client, serve reads nothing every second and its kernel facts a few times a minute.
   */
  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    this.unwatch ??= this.session.watch();
    if (this.session.engineState().status === 'connected') this.startStats();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.stopStats();
      this.unwatch?.();
      this.unwatch = null;
      this.releaseTimer = setTimeout(() => {
        this.releaseTimer = null;
        if (this.listeners.size === 0) this.stats.reset();
      }, this.releaseAfterMs);
      this.releaseTimer.unref();
    };
  }

  diffContainers: IsolensApi['diffContainers'] = (a, b) => this.lab.diffContainers(a, b);
  generateFix: IsolensApi['generateFix'] = (id) => this.lab.generateFix(id);
  generateComposeOverride: IsolensApi['generateComposeOverride'] = (id) => this.lab.generateComposeOverride(id);

  /** The report renderers load on the first export, not when serve or the window starts. */
  exportReport: IsolensApi['exportReport'] = async (request) => {
    const snapshot = await this.getSnapshot();
    if (!snapshot) throw new Error('nothing to export yet: the first scan has not finished');
    const { exportReport } = await import('../report/export.js');
    return exportReport(snapshot, request);
  };
  listLabImages: IsolensApi['listLabImages'] = () => this.lab.listLabImages();
  listProbes: IsolensApi['listProbes'] = () => this.lab.listProbes();
  runLab: IsolensApi['runLab'] = (options) => this.lab.runLab(options);
  closeLab: IsolensApi['closeLab'] = () => this.lab.closeLab();
  runProbe: IsolensApi['runProbe'] = (id, probeId) => this.lab.runProbe(id, probeId);

  // ---- events and stats -------------------------------------------------------------------------------------

  private emit(event: ApiEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  private onEngineState(state: EngineState): void {
    if (state.status === 'connected' && this.listeners.size > 0) this.startStats();
    else this.stopStats();
  }

  private startStats(): void {
    if (this.statsTimer) return;
    this.statsTimer = setInterval(() => void this.sampleStats(), this.statsIntervalMs);
    this.statsTimer.unref();
  }

  private stopStats(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  /**
   * One round of stats. When reading takes longer than the interval, serve keeps pace by sampling less often: a tick
   * that finds the previous round still reading is dropped (and timers never queue missed ticks), so reads never pile up.
   */
  private async sampleStats(): Promise<void> {
    if (this.sampling) return;
    // Only where the kernel can be read: a local source on a local engine, or a helper on any.
    const engine = this.session.engineInfo();
    if (!engine || kernelUnreadableReason(this.session.kernelSource, engine) !== null) return;
    const processes = this.session.processes();
    const visible = this.visibleIds(Date.now());
    const tick = this.ticks++ % UNSEEN_EVERY;
    const due = visible === null ? processes : processes.filter(({ id }) => visible.has(id) || unseenSlot(id) === tick);
    this.sampling = true;
    try {
      const samples = await this.stats.sample(due, new Set(processes.map(({ id }) => id)));
      if (samples.length > 0) this.emit({ type: 'stats', stats: samples });
    } finally {
      this.sampling = false;
    }
  }

  /** The union of what the viewers show now, or null when no viewer has said (an older client): then everything is. */
  private visibleIds(nowMs: number): ReadonlySet<string> | null {
    for (const [viewerId, viewer] of this.viewers) if (viewer.untilMs <= nowMs) this.viewers.delete(viewerId);
    if (this.viewers.size === 0) return null;
    if (this.viewers.size === 1) return this.viewers.values().next().value!.ids;
    const union = new Set<string>();
    for (const viewer of this.viewers.values()) for (const id of viewer.ids) union.add(id);
    return union;
  }
}

/** The inspect document for the Raw tab: environment values may hold secrets, so only names are kept. */
export function redactInspect(inspect: InspectDocument): unknown {
  const copy = structuredClone(inspect) as InspectDocument;
  if (copy.Config?.Env) copy.Config.Env = copy.Config.Env.map((entry) => `${entry.split('=')[0]}=<redacted>`);
  return copy;
}

/** Start the live API on a session of its own (or the one given); the Electron main process and `isolens serve` use this. */
export async function createLiveApi(options: LiveApiOptions = {}): Promise<LiveApi> {
  const api = new LiveApi(options);
  await api.start();
  return api;
}
