// The renderer's one store: latest snapshot, engine state and a five-minute stats window per container, fed by IsolensApi events.
import type { ApiEvent, IsolensApi } from '../../app/api.js';
import type { DriftMark, Notice } from '../../app/model/history.js';
import type { EngineState, LiveStats } from '../../app/model/live.js';
import type { Snapshot } from '../../app/model/schema.js';
import { applySnapshotDelta, type SnapshotDelta } from '../../app/model/delta.js';
import { MAX_VISIBLE_CONTAINERS, VIEWER_REFRESH_MS } from '../../app/model/viewers.js';
import { afterPaint } from './after-paint.js';
import { errorText } from './format.js';
import { RingBuffer } from './ring-buffer.js';
import { navigate, noticeRoute } from './route.js';

/** Five minutes at one sample a second. */
export const STATS_WINDOW_SAMPLES = 300;

export interface StoreState {
  snapshot: Snapshot | null;
  /** getSnapshot() answered (possibly null: the first scan is still running). */
  snapshotRequested: boolean;
  engine: EngineState | null;
  /** A retry the user asked for is in flight. */
  retrying: boolean;
  /** The API itself failed (transport down), in one line. */
  apiError: string | null;
}

type Listener = () => void;

/** This window's name for the host (setVisibleContainers): random, so no other viewer's list is replaced by ours. */
function newViewerId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}


/** How long changes of what is shown are gathered before the host is told (a scroll mounts and unmounts many rows). */
const DECLARE_DELAY_MS = 150;

export class IsolensStore {
  private state: StoreState = { snapshot: null, snapshotRequested: false, engine: null, retrying: false, apiError: null };
  private readonly listeners = new Set<Listener>();
  private readonly noticeListeners = new Set<(notice: Notice) => void>();
  private drift = new Map<string, DriftMark>();
  private readonly statsListeners = new Set<Listener>();
  private readonly rings = new Map<string, RingBuffer<LiveStats>>();
  /** Containers whose window was seeded from the host's history (seedOnce). */
  private readonly seeded = new Set<string>();
  /** Per-container counter bumped on each new sample, so only the rows and charts of that container re-render. */
  private readonly statsVersions = new Map<string, number>();
  private statsNoticeQueued = false;
  /**
   * Each container's window as an array, made once per version: a row's CPU and memory cells share it, and a row
   * scrolled back into view reuses it, instead of copying up to five minutes of samples each time.
   */
  private readonly statsArrays = new Map<string, { version: number; samples: LiveStats[] }>();
  /** Deltas that arrived while a getSnapshot was in flight; applied in order on top of its answer. */
  private pendingDeltas: SnapshotDelta[] | null = null;
  private readonly viewerId = newViewerId();
  /**
   * Containers whose live stats something on screen shows: how many components show each, and since when it has been
   * shown without a break (the charts judge gaps by it).
   */
  private readonly shown = new Map<string, { count: number; sinceMs: number }>();
  private declareTimer: ReturnType<typeof setTimeout> | null = null;
  /** What the host was last told (sorted ids), so a scroll that ends where it began sends nothing. */
  private declared: string | null = null;

  /** Settles once the first getSnapshot is answered and applied (or has failed); start() asks it. */
  private firstAnswered: Promise<void> | null = null;

  constructor(private readonly api: IsolensApi) {}

  /** Settles when the first snapshot (or the error instead of it) is in the state; never rejects. Before start(): at once. */
  firstAnswer(): Promise<void> {
    return this.firstAnswered ?? Promise.resolve();
  }

  /** The lab's one-shot requests (diff, fix, lab runs, probes) carry no state to share: views call them directly. */
  get lab(): Pick<IsolensApi, 'diffContainers' | 'generateFix' | 'generateComposeOverride' | 'listLabImages' | 'listProbes' | 'runLab' | 'closeLab' | 'runProbe'> {
    return this.api;
  }

  /** The Export menu's one call: a report file of the current snapshot. */
  get reports(): Pick<IsolensApi, 'exportReport'> {
    return this.api;
  }

  /**
   * Ask for the current state, then follow events; returns the stop function. The events are subscribed to once the
   * first snapshot is on screen: subscribing starts the host's rebuild and 1 Hz sampling, which at 500 containers held
   * serve's answer to that very getSnapshot back by hundreds of milliseconds. The rebuild's outcome still arrives as a
   * delta on the snapshot just fetched (or, if the host moved on meanwhile, one more getSnapshot).
   */
  start(): () => void {
    let stopped = false;
    let unsubscribe: (() => void) | null = null;
    const follow = () => {
      if (stopped || unsubscribe) return;
      unsubscribe = this.api.subscribe((event) => this.handle(event));
      // No snapshot yet (the first scan was still running): one that was sent before we listened would be missed.
      if (!this.state.snapshot) void this.resync();
    };
    this.firstAnswered = this.resync();
    void this.firstAnswered.then(() => afterPaint(follow));
    // Told at once (an empty list: nothing drawn yet), on each change, and repeated so the host's list does not expire.
    this.declare(true);
    const heartbeat = setInterval(() => this.declare(true), VIEWER_REFRESH_MS);
    this.api.getEngineState().then(
      (engine) => {
        if (!this.state.engine || engine.sinceMs >= this.state.engine.sinceMs) this.update({ engine });
      },
      (error: unknown) => this.update({ apiError: errorText(error) }),
    );
    this.api.getDriftMarks().then(
      (marks) => this.handle({ type: 'drift', marks }),
      () => undefined, // no history on this host: no marks
    );
    return () => {
      stopped = true;
      unsubscribe?.();
      clearInterval(heartbeat);
      if (this.declareTimer !== null) clearTimeout(this.declareTimer);
      this.declareTimer = null;
    };
  }

  /**
   * Something on screen shows this container's live stats (a table row, the drill-down) until the returned release:
   * the host samples what is shown every second and the rest every ten seconds.
   */
  showStats(id: string): () => void {
    const showing = this.shown.get(id);
    if (showing) showing.count++;
    else this.shown.set(id, { count: 1, sinceMs: Date.now() });
    this.declareSoon();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const showing = this.shown.get(id);
      if (showing && --showing.count === 0) this.shown.delete(id);
      this.declareSoon();
    };
  }

  /** Since when something here has shown this container without a break (so the host samples it every second), or null. */
  shownSinceMs(id: string): number | null {
    return this.shown.get(id)?.sinceMs ?? null;
  }

  /** The ids shown now, as the host is told them. */
  shownIds(): string[] {
    return [...this.shown.keys()].sort().slice(0, MAX_VISIBLE_CONTAINERS);
  }

  private declareSoon(): void {
    if (this.declareTimer !== null) return;
    this.declareTimer = setTimeout(() => {
      this.declareTimer = null;
      this.declare(false);
    }, DECLARE_DELAY_MS);
  }

  private declare(repeat: boolean): void {
    const ids = this.shownIds();
    const key = ids.join(',');
    if (!repeat && key === this.declared) return;
    this.declared = key;
    this.api.setVisibleContainers(this.viewerId, ids).catch(() => {
      this.declared = null; // said again on the next change or repeat; the host samples everything until it hears
    });
  }

  /** History's requests (the History tab): one-shot, no shared state. */
  get history(): Pick<IsolensApi, 'getHistory' | 'getHistoryVersions' | 'getNotificationSettings' | 'setNotificationSettings'> {
    return this.api;
  }

  /** Notices as they arrive (in-app and browser notifications); returns the unsubscribe function. */
  onNotice(listener: (notice: Notice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => void this.noticeListeners.delete(listener);
  }

  /** Drift marks by container id. */
  driftOf(id: string): DriftMark | undefined {
    return this.drift.get(id);
  }

  handle(event: ApiEvent): void {
    switch (event.type) {
      case 'notice':
        for (const listener of [...this.noticeListeners]) listener(event.notice);
        break;
      case 'drift':
        this.drift = new Map(event.marks.map((mark) => [mark.containerId, mark]));
        this.update({});
        break;
      case 'open-notice':
        navigate(noticeRoute(event.notice));
        break;
      case 'snapshot':
        if (!this.state.snapshot || !event.snapshot || event.snapshot.generatedAt >= this.state.snapshot.generatedAt) this.setSnapshot(event.snapshot);
        this.update({ snapshotRequested: true, apiError: null });
        break;
      case 'delta':
        this.applyDelta(event.delta);
        break;
      case 'stats':
        this.appendStats(event.stats);
        break;
      case 'engine':
        this.update({ engine: event.state, retrying: event.state.status === 'connected' ? false : this.state.retrying });
        break;
    }
  }

  /** A delta on the snapshot it was made for; any other base (missed events, first load) costs one getSnapshot. */
  private applyDelta(delta: SnapshotDelta): void {
    if (this.pendingDeltas) {
      this.pendingDeltas.push(delta);
      return;
    }
    const next = this.state.snapshot ? applySnapshotDelta(this.state.snapshot, delta) : null;
    if (next) {
      this.setSnapshot(next);
      if (this.state.apiError) this.update({ apiError: null });
      return;
    }
    if (this.state.snapshot && delta.snapshot.generatedAt <= this.state.snapshot.generatedAt) return; // an old delta
    void this.resync([delta]);
  }

  /** Fetch the whole snapshot once, then apply the deltas that arrived meanwhile (those made for it or later); settles when it is applied. */
  private resync(pending: SnapshotDelta[] = []): Promise<void> {
    if (this.pendingDeltas) return Promise.resolve();
    this.pendingDeltas = pending;
    return this.api.getSnapshot().then(
      (snapshot) => {
        const queued = this.pendingDeltas ?? [];
        this.pendingDeltas = null;
        // An event may have delivered a newer snapshot while the request was in flight.
        let current = this.state.snapshot && (!snapshot || this.state.snapshot.generatedAt > snapshot.generatedAt) ? this.state.snapshot : snapshot;
        for (const delta of queued) current = (current && applySnapshotDelta(current, delta)) ?? current;
        this.setSnapshot(current);
        this.update({ snapshotRequested: true, apiError: null });
      },
      (error: unknown) => {
        this.pendingDeltas = null;
        this.update({ snapshotRequested: true, apiError: errorText(error) });
      },
    );
  }

  getState = (): StoreState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  subscribeStats = (listener: Listener): (() => void) => {
    this.statsListeners.add(listener);
    return () => this.statsListeners.delete(listener);
  };

  statsVersion(id: string): number {
    return this.statsVersions.get(id) ?? 0;
  }

  /** The container's samples, oldest first (at most STATS_WINDOW_SAMPLES). */
  statsOf(id: string): LiveStats[] {
    const version = this.statsVersion(id);
    const known = this.statsArrays.get(id);
    if (known && known.version === version) return known.samples;
    const samples = this.rings.get(id)?.toArray() ?? [];
    this.statsArrays.set(id, { version, samples });
    return samples;
  }

  latestStats(id: string): LiveStats | undefined {
    return this.rings.get(id)?.last();
  }

  /**
   * Seed a container's window once while the window lives: the table's sparklines start from the host's history
   * instead of empty. Only rows that are drawn ask (the table is virtualized); a failed seed may be asked again.
   */
  seedOnce(id: string): void {
    if (this.seeded.has(id)) return;
    this.seeded.add(id);
    this.seedHistory(id).catch(() => this.seeded.delete(id));
  }

  /** Fill a container's window from the host's history (on opening the drill-down), merged with what arrived live. */
  async seedHistory(id: string): Promise<void> {
    const history = await this.api.getStatsHistory(id);
    const byTime = new Map<number, LiveStats>();
    for (const sample of [...history, ...this.statsOf(id)]) if (sample.id === id) byTime.set(sample.atMs, sample);
    const merged = [...byTime.values()].sort((a, b) => a.atMs - b.atMs).slice(-STATS_WINDOW_SAMPLES);
    const ring = this.ringOf(id);
    ring.clear();
    for (const sample of merged) ring.push(sample);
    this.bump([id]);
  }

  async retryEngine(): Promise<void> {
    this.update({ retrying: true });
    try {
      await this.api.retryEngine();
    } catch (error) {
      this.update({ apiError: errorText(error) });
    } finally {
      // The outcome arrives as an `engine` event; a failed retry leaves the banner up with its new cause.
      this.update({ retrying: false });
    }
  }

  getInspect(id: string): Promise<unknown> {
    return this.api.getInspect(id);
  }

  private setSnapshot(snapshot: Snapshot | null): void {
    if (snapshot) {
      // Forget the windows of containers that are gone, so a long session does not accumulate them.
      const live = new Set(snapshot.containers.map((c) => c.id));
      for (const id of this.rings.keys()) {
        if (!live.has(id)) {
          this.rings.delete(id);
          this.statsVersions.delete(id);
          this.statsArrays.delete(id);
        }
      }
    }
    this.update({ snapshot });
  }

  private appendStats(samples: LiveStats[]): void {
    const known = this.state.snapshot ? new Set(this.state.snapshot.containers.map((c) => c.id)) : null;
    const touched: string[] = [];
    for (const sample of samples) {
      if (known && !known.has(sample.id)) continue;
      const ring = this.ringOf(sample.id);
      const last = ring.last();
      if (last && sample.atMs <= last.atMs) continue; // a replayed or out-of-order sample
      ring.push(sample);
      touched.push(sample.id);
    }
    if (touched.length > 0) this.bump(touched);
  }

  private ringOf(id: string): RingBuffer<LiveStats> {
    let ring = this.rings.get(id);
    if (!ring) {
      ring = new RingBuffer<LiveStats>(STATS_WINDOW_SAMPLES);
      this.rings.set(id, ring);
    }
    return ring;
  }

  private bump(ids: string[]): void {
    for (const id of ids) this.statsVersions.set(id, (this.statsVersions.get(id) ?? 0) + 1);
    // Listeners are told once for everything bumped in this turn: each telling is a render pass, and the rows a scroll
    // brings in are seeded one by one.
    if (this.statsNoticeQueued) return;
    this.statsNoticeQueued = true;
    queueMicrotask(() => {
      this.statsNoticeQueued = false;
      for (const listener of this.statsListeners) listener();
    });
  }

  private update(patch: Partial<StoreState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}
