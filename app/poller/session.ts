// The engine session: one engine connection kept alive, the inspect cache kept current from engine events, kernel facts
// rebuilt into assessed snapshots, and typed events for whoever subscribes (the live API, the exporter, history).
//
// Subscribing is one call; the subscriber first gets the current state, then deltas:
//
//   const session = await openSession({ host });          // connected, or retrying in the background
//   const stop = session.subscribe((event) => {
//     switch (event.type) {
//       case 'engine':            // connection state: at once, then on every change
//       case 'container-added':   // a container's assessed document, new in this snapshot
//       case 'container-updated': // …whose document changed (facts, findings, score)
//       case 'container-removed': // …that is gone (event.id)
//       case 'snapshot':          // the whole new snapshot, after its container-* events; event.changes lists their ids
//     }
//   });
//   stop();                                                // or session.close(), which drops every subscriber
//
// A subscriber that shows the state to a person (the UI) also holds `session.watch()` while it does: the refresh and
// the re-list then run at their watched pace, and at the idle pace (a few reads a minute) when nobody watches.
//
// On subscribe the listener receives { type: 'engine' } and, once the first scan has finished, { type: 'snapshot' }
// with every container listed as added (no container-added events are replayed). A listener that throws is isolated.
// The session never creates or changes containers; the lab façade (app/lab/facade.ts) borrows its connection.
import type { ContainerIsolation, EngineInfo, Snapshot } from '../model/schema.js';
import type { EngineState } from '../model/live.js';
import { endpointLabel, openEngine } from '../engine/open.js';
import { EngineUnreachableError } from '../engine/connect.js';
import type { ContainerEngine } from '../engine/engine.js';
import { inspectRunning, mapLimited } from '../collect/inspect.js';
import type { InspectDocument } from '../collect/config.js';
import { LOCAL_HOST_SOURCE, SwitchableKernelSource, type KernelSource } from '../kernel/source.js';
import { openKernelSource, type KernelSourceOptions } from '../kernel-source.js';
import type { AssessOptions } from '../assess.js';
import { IncrementalRebuilder } from './rebuild.js';

export interface SessionOptions {
  host?: string;
  /** Where the kernel is read; the host's own files when absent (and no `kernel` choice is given). */
  source?: KernelSource;
  /**
   * Choose the source on every connection (--kernel-source): auto, local or a helper container kept while the session
   * is open (serve, the desktop app) and removed on close. Overrides `source`.
   */
  kernel?: KernelSourceOptions;
  /** Full re-list as a safety net for missed events; 30 s by default. */
  resyncIntervalMs?: number;
  /** Rebuild of kernel facts without engine events (capabilities can change at run time); 5 s by default. */
  refreshIntervalMs?: number;
  /**
   * The same two while nobody watches (no UI client: see watch()): 60 s and 5 min by default. Engine events still
   * update the snapshot at once; only what changes without an event (a process dropping a capability) waits longer.
   */
  idleRefreshIntervalMs?: number;
  idleResyncIntervalMs?: number;
  assess?: AssessOptions;
}

/** The ids a rebuild added, updated and removed, compared with the previous snapshot. */
export interface SnapshotChanges {
  added: string[];
  updated: string[];
  removed: string[];
}

export type SessionEvent =
  | { type: 'engine'; state: EngineState }
  | { type: 'container-added'; container: ContainerIsolation }
  | { type: 'container-updated'; container: ContainerIsolation; previous: ContainerIsolation }
  | { type: 'container-removed'; id: string; previous: ContainerIsolation }
  | { type: 'snapshot'; snapshot: Snapshot; changes: SnapshotChanges; /** How long the rebuild took (kernel facts + rules). */ durationMs?: number };

export type SessionListener = (event: SessionEvent) => void;

/** A connected engine, for the calls that need the client itself (the lab). */
export interface SessionConnection {
  adapter: ContainerEngine;
  engine: EngineInfo;
}

/** Events that change what inspect says about a running container, or whether it runs. */
const REFRESH_ACTIONS = new Set(['start', 'restart', 'unpause', 'update', 'rename', 'pause', 'health_status']);
const GONE_ACTIONS = new Set(['die', 'stop', 'kill', 'destroy', 'oom']);
const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000];
/** One re-list in this many inspects every container again (at the watched pace, every 5 min). */
const FULL_RESYNC_EVERY = 10;
/** Inspects a re-list runs at once for containers the cache lacks (after missed events there can be hundreds). */
const RESYNC_INSPECTS_AT_ONCE = 8;

/** What a container's document says, for change detection; generatedAt lives on the snapshot, so nothing here is volatile. */
function fingerprint(container: ContainerIsolation): string {
  return JSON.stringify(container);
}

export class EngineSession {
  private readonly options: Required<Omit<SessionOptions, 'host' | 'assess' | 'kernel'>> & Pick<SessionOptions, 'host' | 'assess' | 'kernel'>;
  /** What every reader of this session reads through; replaced on each connection when `kernel` chooses. */
  readonly kernelSource: SwitchableKernelSource;
  private readonly listeners = new Set<SessionListener>();
  private readonly inspects = new Map<string, InspectDocument>();
  private readonly fingerprints = new Map<string, string>();
  private readonly rebuilder: IncrementalRebuilder;
  private adapter: ContainerEngine | null = null;
  private engine: EngineInfo | null = null;
  private current: Snapshot | null = null;
  private currentDurationMs: number | undefined;
  private state: EngineState;
  private stopEvents: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private retryIndex = 0;
  private rebuildTimer: NodeJS.Timeout | null = null;
  private rebuilding: Promise<void> | null = null;
  private rebuildAgain = false;
  /** The next rebuild probes every container (a refresh asked for it), not only those whose document changed. */
  private probeNext = false;
  private closed = false;
  private connecting: Promise<void> | null = null;
  private watchers = 0;
  private resyncs = 0;

  constructor(options: SessionOptions = {}) {
    this.options = { resyncIntervalMs: 30_000, refreshIntervalMs: 5000, idleResyncIntervalMs: 300_000, idleRefreshIntervalMs: 60_000, source: LOCAL_HOST_SOURCE, ...options };
    this.state = { status: 'connecting', endpoint: endpointLabel({ host: options.host }), error: null, sinceMs: Date.now(), nextRetryMs: null };
    this.kernelSource = new SwitchableKernelSource(this.options.source);
    this.rebuilder = new IncrementalRebuilder(this.kernelSource, this.options.assess ?? {});
  }

  /** Connect and keep connected; resolves after the first attempt (connected or not). */
  start(): Promise<void> {
    return this.connect();
  }

  /** Stop watching the engine and drop every subscriber; a helper container is removed (await closeKernelSource for it). */
  close(): void {
    this.closed = true;
    this.disconnect();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.rebuilder.close();
    this.listeners.clear();
    this.closingSource ??= this.kernelSource.close().catch(() => undefined);
  }

  private closingSource: Promise<void> | null = null;

  /** Resolves once the kernel source is released (the helper container removed); close() starts it. */
  closeKernelSource(): Promise<void> {
    return this.closingSource ?? Promise.resolve();
  }

  /** The current state first (engine, then the snapshot if one exists), then every event; returns the unsubscribe function. */
  subscribe(listener: SessionListener): () => void {
    this.listeners.add(listener);
    this.deliver(listener, { type: 'engine', state: this.state });
    const snapshot = this.current;
    if (snapshot && this.listeners.has(listener)) {
      this.deliver(listener, { type: 'snapshot', snapshot, changes: { added: snapshot.containers.map((c) => c.id), updated: [], removed: [] }, durationMs: this.currentDurationMs });
    }
    return () => void this.listeners.delete(listener);
  }

  /** How many subscribers are attached: what a leak of subscriptions would grow. */
  subscriberCount(): number {
    return this.listeners.size;
  }

  /** The container ids each per-container map holds, the rebuilder's included: what a soak compares across cycles. */
  retainedKeys(): Record<string, string[]> {
    return { 'session.inspects': [...this.inspects.keys()], 'session.fingerprints': [...this.fingerprints.keys()], ...this.rebuilder.retainedKeys() };
  }

  /** Someone is looking: refresh at the watched pace until the returned release is called (idempotent). */
  watch(): () => void {
    let held = true;
    if (this.watchers++ === 0) {
      this.pace();
      // After a long idle interval, show the kernel facts of now rather than of up to a minute ago.
      if (this.current) this.scheduleRebuild(0, 'probe');
    }
    return () => {
      if (!held) return;
      held = false;
      if (--this.watchers === 0) this.pace();
    };
  }

  /** Whether anyone holds watch() now. */
  watched(): boolean {
    return this.watchers > 0;
  }

  /** The latest snapshot, waiting for a rebuild in progress; null before the first scan finishes. */
  async snapshot(): Promise<Snapshot | null> {
    if (this.rebuilding) await this.rebuilding;
    return this.current;
  }

  /** The latest snapshot as it is now, without waiting. */
  latest(): Snapshot | null {
    return this.current;
  }

  engineState(): EngineState {
    return this.state;
  }

  /** The engine description, once connected. */
  engineInfo(): EngineInfo | null {
    return this.engine;
  }

  /** The client and engine, or an error that says why there is none. */
  connection(): SessionConnection {
    if (!this.adapter || !this.engine) throw new EngineUnreachableError(`the engine is not connected (${this.state.error ?? this.state.status})`, this.state.endpoint);
    return { adapter: this.adapter, engine: this.engine };
  }

  /** The cached inspect document of a running container, by full id or id prefix. */
  inspectOf(id: string): InspectDocument | undefined {
    const exact = this.inspects.get(id);
    if (exact) return exact;
    for (const [key, inspect] of this.inspects) if (key.startsWith(id)) return inspect;
    return undefined;
  }

  /** Running containers with a process on this host's view: what live stats sample. */
  processes(): Array<{ id: string; pid: number }> {
    const out: Array<{ id: string; pid: number }> = [];
    for (const inspect of this.inspects.values()) if (inspect.State?.Pid && inspect.State.Pid > 0) out.push({ id: inspect.Id, pid: inspect.State.Pid });
    return out;
  }

  /** Reconnect now instead of waiting for the next retry (no-op when connected). */
  async retry(): Promise<void> {
    if (this.state.status === 'connected') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryIndex = 0;
    await this.connect();
  }

  // ---- events -----------------------------------------------------------------------------------------------

  private deliver(listener: SessionListener, event: SessionEvent): void {
    try {
      listener(event);
    } catch {
      /* a listener's failure is its own */
    }
  }

  private emit(event: SessionEvent): void {
    for (const listener of [...this.listeners]) if (this.listeners.has(listener)) this.deliver(listener, event);
  }

  private setState(patch: Partial<EngineState> & Pick<EngineState, 'status'>): void {
    this.state = { ...this.state, error: null, nextRetryMs: null, ...patch, sinceMs: patch.status === this.state.status ? this.state.sinceMs : Date.now() };
    this.emit({ type: 'engine', state: this.state });
  }

  // ---- connection -------------------------------------------------------------------------------------------

  private connect(): Promise<void> {
    if (this.connecting) return this.connecting;
    this.connecting = this.connectOnce().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connectOnce(): Promise<void> {
    if (this.closed) return;
    if (this.state.status !== 'connecting') this.setState({ status: 'connecting' });
    try {
      const { adapter, engine } = await openEngine({ host: this.options.host });
      this.adapter = adapter;
      this.engine = engine;
      // Subscribe before listing so nothing that starts in between is missed.
      this.stopEvents = adapter.watchEvents(
        (event) => this.onEngineEvent(event.action, event.id),
        (error) => this.onEventsClosed(error),
      );
      const { inspects } = await inspectRunning(adapter);
      this.replaceInspects(inspects);
      if (this.options.kernel) {
        // A new connection may be another engine (or the same one restarted, which took the old helper with it).
        const chosen = await openKernelSource(adapter, engine, inspects, this.options.kernel);
        if (this.closed) return void (await chosen.close?.());
        await this.kernelSource.use(chosen);
      }
      this.retryIndex = 0;
      this.setState({ status: 'connected', endpoint: engine.endpoint });
      await this.rebuild();
      if (!this.closed && this.adapter === adapter) this.pace();
    } catch (error) {
      this.onUnreachable(error);
    }
  }

  /** (Re)start the refresh and re-list timers at the pace for whether anyone watches; none while disconnected. */
  private pace(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (!this.adapter || this.closed) return;
    const watched = this.watchers > 0;
    this.timers.push(
      setInterval(() => void this.resync(), watched ? this.options.resyncIntervalMs : this.options.idleResyncIntervalMs),
      setInterval(() => this.scheduleRebuild(0, 'probe'), watched ? this.options.refreshIntervalMs : this.options.idleRefreshIntervalMs),
    );
    for (const timer of this.timers) timer.unref();
  }

  private disconnect(): void {
    this.stopEvents?.();
    this.stopEvents = null;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.rebuildTimer = null;
    this.adapter = null;
  }

  private onUnreachable(error: unknown): void {
    this.disconnect();
    if (this.closed) return;
    const delay = RETRY_DELAYS_MS[Math.min(this.retryIndex++, RETRY_DELAYS_MS.length - 1)]!;
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const endpoint = error instanceof EngineUnreachableError ? error.endpoint : this.state.endpoint;
    this.setState({ status: 'unreachable', endpoint, error: message, nextRetryMs: Date.now() + delay });
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private onEventsClosed(error: Error | null): void {
    if (this.closed || this.state.status !== 'connected') return;
    this.onUnreachable(error ?? new Error('the engine closed its event stream (it stopped or restarted)'));
  }

  private onEngineEvent(action: string, id: string): void {
    const base = action.split(':')[0]!.trim();
    if (GONE_ACTIONS.has(base)) {
      if (this.inspects.delete(id)) this.scheduleRebuild(0);
    } else if (REFRESH_ACTIONS.has(base)) {
      void this.refreshOne(id);
    }
  }

  private replaceInspects(inspects: readonly InspectDocument[]): void {
    this.inspects.clear();
    for (const inspect of inspects) this.inspects.set(inspect.Id, inspect);
  }

  private async refreshOne(id: string): Promise<void> {
    const adapter = this.adapter;
    if (!adapter) return;
    try {
      await this.inspectInto(adapter, id);
      this.scheduleRebuild(0);
    } catch (error) {
      this.onUnreachable(error);
    }
  }

  /**
   * The one way a single container gets into (or out of) the cache, for an event and for a re-list alike: inspect it,
   * keep it while it runs, drop it otherwise. Resolves whether the cache changed; throws when the engine is away.
   */
  private async inspectInto(adapter: ContainerEngine, id: string): Promise<boolean> {
    const result = await adapter.inspect(id);
    if (result.ok && result.value.State.Running) {
      this.inspects.set(id, result.value);
      return true;
    }
    return this.inspects.delete(id);
  }

  /**
   * The safety net for missed events. Most rounds list the running ids only (one engine call) and inspect just the
   * ones the cache lacks, a few at a time; every FULL_RESYNC_EVERY-th round inspects them all again, for changes no
   * event announced.
   */
  private async resync(): Promise<void> {
    const adapter = this.adapter;
    if (!adapter) return;
    try {
      if (++this.resyncs % FULL_RESYNC_EVERY === 0) {
        const { inspects } = await inspectRunning(adapter);
        this.replaceInspects(inspects);
        this.scheduleRebuild(0);
        return;
      }
      const running = new Set(await adapter.listRunning());
      let changed = false;
      for (const id of [...this.inspects.keys()]) {
        if (!running.has(id)) changed = this.inspects.delete(id) || changed;
      }
      const missing = [...running].filter((id) => !this.inspects.has(id));
      const added = await mapLimited(missing, RESYNC_INSPECTS_AT_ONCE, (id) => this.inspectInto(adapter, id));
      changed = added.includes(true) || changed;
      if (changed) this.scheduleRebuild(0);
    } catch (error) {
      this.onUnreachable(error);
    }
  }

  // ---- snapshots --------------------------------------------------------------------------------------------

  /**
   * Rebuild soon. An engine event or re-list changed some inspect documents: only those containers are probed and
   * collected again. The refresh ('probe') reads every container's run-time facts, for changes no event announces.
   */
  private scheduleRebuild(delayMs: number, what: 'changed' | 'probe' = 'changed'): void {
    if (what === 'probe') this.probeNext = true;
    if (this.rebuildTimer) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = null;
      void this.rebuild();
    }, delayMs);
    this.rebuildTimer.unref();
  }

  private async rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.rebuildAgain = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      do {
        this.rebuildAgain = false;
        const engine = this.engine;
        if (!engine) return;
        const started = performance.now();
        const probe = this.probeNext;
        this.probeNext = false;
        const assessed = await this.rebuilder.rebuild([...this.inspects.values()], engine, { probe });
        if (this.closed) return this.rebuilder.close();
        this.publish(assessed, performance.now() - started);
      } while (this.rebuildAgain);
    })().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  /** Replace the snapshot and tell subscribers what changed: one event per changed container, then the snapshot. */
  private publish(snapshot: Snapshot, durationMs: number): void {
    const previous = new Map((this.current?.containers ?? []).map((c) => [c.id, c]));
    const changes: SnapshotChanges = { added: [], updated: [], removed: [] };
    const events: SessionEvent[] = [];
    const fingerprints = new Map<string, string>();
    for (const container of snapshot.containers) {
      const before = previous.get(container.id);
      previous.delete(container.id);
      // An incremental rebuild hands back the very same object for a container it did not collect again.
      const print = before === container ? this.fingerprints.get(container.id)! : fingerprint(container);
      fingerprints.set(container.id, print);
      if (!before) {
        changes.added.push(container.id);
        events.push({ type: 'container-added', container });
      } else if (this.fingerprints.get(container.id) !== print) {
        changes.updated.push(container.id);
        events.push({ type: 'container-updated', container, previous: before });
      }
    }
    for (const [id, before] of previous) {
      changes.removed.push(id);
      events.push({ type: 'container-removed', id, previous: before });
    }
    this.fingerprints.clear();
    for (const [id, print] of fingerprints) this.fingerprints.set(id, print);
    this.current = snapshot;
    this.currentDurationMs = durationMs;
    for (const event of events) this.emit(event);
    this.emit({ type: 'snapshot', snapshot, changes, durationMs });
  }
}

/** Open a session and make its first connection attempt (connected or retrying in the background). */
export async function openSession(options: SessionOptions = {}): Promise<EngineSession> {
  const session = new EngineSession(options);
  await session.start();
  return session;
}
