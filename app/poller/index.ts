// The live IsolensApi: an event-driven inspect cache, kernel facts on every rebuild, 1 Hz stats from cgroupfs and /proc.
import type Dockerode from 'dockerode';
import type { ApiEvent, IsolensApi, ProbeInfo } from '../api.js';
import type { LabOptionsInput, ProbeId } from '../model/lab.js';
import { diffContainers, type ContainerDiff } from '../lab/diff.js';
import { generateFix, imageDefaultsFrom, type GeneratedFix } from '../lab/fix.js';
import { cleanupLab, createLabSession, runLab, type LabResult, type LabSession } from '../lab/lab.js';
import { PROBES, runProbe, type ProbeResult, type RunProbeRefusal } from '../lab/probes.js';
import type { EngineInfo, Snapshot } from '../model/schema.js';
import type { EngineState, LiveStats } from '../model/live.js';
import { openEngine } from '../engine/open.js';
import { inspectContainer } from '../engine/containers.js';
import { watchContainerEvents } from '../engine/events.js';
import { inspectRunning, snapshotFromInspects } from '../collect/scan.js';
import type { InspectDocument } from '../collect/config.js';
import { HOST_PATHS, type KernelPaths } from '../collect/kernel.js';
import { assessSnapshot, type AssessOptions } from '../assess.js';
import { StatsSampler } from './stats.js';

export interface PollerOptions {
  host?: string;
  paths?: KernelPaths;
  /** Live stats interval; 1 s by default. */
  statsIntervalMs?: number;
  /** Full re-list as a safety net for missed events; 30 s by default. */
  resyncIntervalMs?: number;
  /** Rebuild of kernel facts without engine events (capabilities can change at run time); 5 s by default. */
  refreshIntervalMs?: number;
  assess?: AssessOptions;
}

/** Events that change what inspect says about a running container, or whether it runs. */
const REFRESH_ACTIONS = new Set(['start', 'restart', 'unpause', 'update', 'rename', 'pause', 'health_status']);
const GONE_ACTIONS = new Set(['die', 'stop', 'kill', 'destroy', 'oom']);
const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000];

export class Poller implements IsolensApi {
  private readonly options: Required<Omit<PollerOptions, 'host' | 'assess'>> & Pick<PollerOptions, 'host' | 'assess'>;
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly inspects = new Map<string, InspectDocument>();
  private readonly stats: StatsSampler;
  private client: Dockerode | null = null;
  private engine: EngineInfo | null = null;
  private snapshot: Snapshot | null = null;
  private state: EngineState;
  private stopEvents: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private retryIndex = 0;
  private rebuildTimer: NodeJS.Timeout | null = null;
  private rebuilding: Promise<void> | null = null;
  private rebuildAgain = false;
  private closed = false;
  private connecting: Promise<void> | null = null;
  private readonly labSession: LabSession = createLabSession();
  private labCleaned = false;

  constructor(options: PollerOptions = {}) {
    this.options = {
      statsIntervalMs: 1000,
      resyncIntervalMs: 30_000,
      refreshIntervalMs: 5000,
      paths: HOST_PATHS,
      ...options,
    };
    this.state = { status: 'connecting', endpoint: options.host ?? 'default', error: null, sinceMs: Date.now(), nextRetryMs: null };
    this.stats = new StatsSampler(this.options.paths);
  }

  /** Connect and keep connected; resolves after the first attempt (connected or not). */
  start(): Promise<void> {
    return this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.client) await cleanupLab(this.client, this.labSession).catch(() => 0);
    this.disconnect();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.listeners.clear();
  }

  // ---- IsolensApi -------------------------------------------------------------------------------------------

  async getSnapshot(): Promise<Snapshot | null> {
    if (this.rebuilding) await this.rebuilding;
    return this.snapshot;
  }

  async getInspect(id: string): Promise<unknown> {
    const inspect = [...this.inspects.values()].find((i) => i.Id === id || i.Id.startsWith(id));
    if (!inspect) throw new Error(`no running container with id ${id}`);
    return redactInspect(inspect);
  }

  async getStatsHistory(id: string): Promise<LiveStats[]> {
    const full = [...this.inspects.keys()].find((key) => key === id || key.startsWith(id)) ?? id;
    return this.stats.history(full);
  }

  async getEngineState(): Promise<EngineState> {
    return this.state;
  }

  async retryEngine(): Promise<void> {
    if (this.state.status === 'connected') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryIndex = 0;
    await this.connect();
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- hardening lab ----------------------------------------------------------------------------------------

  private connected(): { client: Dockerode; engine: EngineInfo } {
    if (!this.client || !this.engine) throw new Error(`the engine is not connected (${this.state.error ?? this.state.status})`);
    return { client: this.client, engine: this.engine };
  }

  private async containerById(id: string) {
    const snapshot = await this.getSnapshot();
    const container = snapshot?.containers.find((c) => c.id === id || c.id.startsWith(id));
    if (!container) throw new Error(`no running container with id ${id}`);
    return container;
  }

  async diffContainers(idA: string, idB: string): Promise<ContainerDiff> {
    return diffContainers(await this.containerById(idA), await this.containerById(idB));
  }

  async generateFix(id: string): Promise<GeneratedFix> {
    const { client } = this.connected();
    const container = await this.containerById(id);
    const inspect = this.inspects.get(container.id);
    if (!inspect) throw new Error(`no inspect data for ${container.name}`);
    const image = await client
      .getImage(inspect.Image)
      .inspect()
      .then((info) => imageDefaultsFrom(info as Parameters<typeof imageDefaultsFrom>[0]))
      .catch(() => undefined);
    return generateFix(container, inspect, image ? { image } : {});
  }

  async listLabImages(): Promise<string[]> {
    const { client } = this.connected();
    const images = await client.listImages();
    return images
      .flatMap((image) => image.RepoTags ?? [])
      .filter((tag) => tag !== '<none>:<none>')
      .sort();
  }

  async listProbes(): Promise<ProbeInfo[]> {
    return PROBES.map((probe) => ({ id: probe.id, title: probe.title, destructive: probe.destructive }));
  }

  async runLab(options: LabOptionsInput): Promise<LabResult> {
    const { client, engine } = this.connected();
    return runLab(client, engine, options, this.labSession);
  }

  async closeLab(): Promise<number> {
    const { client } = this.connected();
    return cleanupLab(client, this.labSession);
  }

  async runProbe(id: string, probeId: ProbeId): Promise<ProbeResult | RunProbeRefusal> {
    const { client } = this.connected();
    // runProbe enforces the rules for a user's container: on request only, non-destructive, one at a time.
    const container = await this.containerById(id);
    return runProbe(client, container.id, probeId, container);
  }

  // ---- connection -------------------------------------------------------------------------------------------

  private emit(event: ApiEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  private setState(patch: Partial<EngineState> & Pick<EngineState, 'status'>): void {
    this.state = { ...this.state, error: null, nextRetryMs: null, ...patch, sinceMs: patch.status === this.state.status ? this.state.sinceMs : Date.now() };
    this.emit({ type: 'engine', state: this.state });
  }

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
      const { client, engine } = await openEngine({ host: this.options.host });
      this.client = client;
      this.engine = engine;
      // Subscribe before listing so nothing that starts in between is missed.
      this.stopEvents = watchContainerEvents(
        client,
        (event) => this.onEngineEvent(event.action, event.id),
        (error) => this.onEventsClosed(error),
      );
      const { inspects } = await inspectRunning(client);
      this.inspects.clear();
      for (const inspect of inspects) this.inspects.set(inspect.Id, inspect);
      this.retryIndex = 0;
      if (!this.labCleaned) {
        // Lab containers left by an Isolens that died (they also expire on their own).
        await cleanupLab(client).catch(() => 0);
        this.labCleaned = true;
      }
      this.setState({ status: 'connected', endpoint: engine.endpoint });
      await this.rebuild();
      this.timers.push(
        setInterval(() => void this.sampleStats(), this.options.statsIntervalMs),
        setInterval(() => void this.resync(), this.options.resyncIntervalMs),
        setInterval(() => this.scheduleRebuild(0), this.options.refreshIntervalMs),
      );
      for (const timer of this.timers) timer.unref();
    } catch (error) {
      this.onUnreachable(error);
    }
  }

  private disconnect(): void {
    this.stopEvents?.();
    this.stopEvents = null;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.rebuildTimer = null;
    this.client = null;
  }

  private onUnreachable(error: unknown): void {
    this.disconnect();
    if (this.closed) return;
    const delay = RETRY_DELAYS_MS[Math.min(this.retryIndex++, RETRY_DELAYS_MS.length - 1)]!;
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    this.setState({ status: 'unreachable', error: message, nextRetryMs: Date.now() + delay });
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
      if (this.inspects.delete(id)) {
        this.stats.forget(id);
        this.scheduleRebuild(0);
      }
    } else if (REFRESH_ACTIONS.has(base)) {
      void this.refreshOne(id);
    }
  }

  private async refreshOne(id: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      const result = await inspectContainer(client, id);
      if (result.ok && (result.value as InspectDocument).State?.Running) this.inspects.set(id, result.value as InspectDocument);
      else this.inspects.delete(id);
      this.scheduleRebuild(0);
    } catch (error) {
      this.onUnreachable(error);
    }
  }

  private async resync(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      const { inspects } = await inspectRunning(client);
      this.inspects.clear();
      for (const inspect of inspects) this.inspects.set(inspect.Id, inspect);
      this.scheduleRebuild(0);
    } catch (error) {
      this.onUnreachable(error);
    }
  }

  // ---- snapshots and stats ----------------------------------------------------------------------------------

  private scheduleRebuild(delayMs: number): void {
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
        const facts = await snapshotFromInspects([...this.inspects.values()], engine, { paths: this.options.paths });
        this.snapshot = assessSnapshot(facts, this.options.assess ?? {});
        this.emit({ type: 'snapshot', snapshot: this.snapshot });
      } while (this.rebuildAgain);
    })().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private async sampleStats(): Promise<void> {
    if (!this.engine?.local) return;
    const targets = [...this.inspects.values()]
      .filter((i) => i.State?.Pid && i.State.Pid > 0)
      .map((i) => ({ id: i.Id, pid: i.State.Pid }));
    const samples = await this.stats.sample(targets);
    if (samples.length > 0) this.emit({ type: 'stats', stats: samples });
  }
}

/** The inspect document for the Raw tab: environment values may hold secrets, so only names are kept. */
export function redactInspect(inspect: InspectDocument): unknown {
  const copy = structuredClone(inspect) as InspectDocument;
  if (copy.Config?.Env) copy.Config.Env = copy.Config.Env.map((entry) => `${entry.split('=')[0]}=<redacted>`);
  return copy;
}

/** Start a poller; the Electron main process and `isolens serve` both use this. */
export async function createPollerApi(options: PollerOptions = {}): Promise<Poller> {
  const poller = new Poller(options);
  await poller.start();
  return poller;
}
