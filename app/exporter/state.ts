// The exporter's state, kept current from the engine session's events; a scrape reads it and never starts a scan.
import type { Registry } from 'prom-client';
import type { EngineSession, SessionEvent } from '../poller/session.js';
import { buildContainerRegistry, buildSummaryRegistry, joinExpositions, type ExporterState, type MetricsOptions } from './metrics.js';

interface Rendered {
  version: number;
  text: Promise<string>;
}

export class ExporterStateKeeper {
  private state: ExporterState = { snapshot: null, engineUp: false, scanDurationSeconds: null, scrapeErrorsTotal: 0 };
  /** Bumped when a container's series change; the session rebuilds every few seconds, mostly to the same documents. */
  private containersVersion = 0;
  private summaryVersion = 0;
  private containers: Rendered | null = null;
  private summary: Rendered | null = null;
  private joined: { containers: Rendered; summary: Rendered; text: Promise<string> } | null = null;

  constructor(private readonly options: MetricsOptions = {}) {}

  /** One session event in. Container-* deltas are not needed: each is followed by the snapshot that holds them. */
  onEvent(event: SessionEvent): void {
    if (event.type === 'engine') {
      const up = event.state.status === 'connected';
      // Every attempt that ends unreachable is a time the state could not be kept current.
      const failed = event.state.status === 'unreachable';
      if (up === this.state.engineUp && !failed) return;
      this.state = { ...this.state, engineUp: up, scrapeErrorsTotal: this.state.scrapeErrorsTotal + (failed ? 1 : 0) };
      this.summaryVersion++;
    } else if (event.type === 'snapshot') {
      const { added, updated, removed } = event.changes;
      const before = this.state.snapshot;
      // The last snapshot stays while the engine is away (as in the UI); isolens_engine_up says it is not current.
      this.state = { ...this.state, snapshot: event.snapshot, scanDurationSeconds: event.durationMs === undefined ? null : event.durationMs / 1000 };
      this.summaryVersion++;
      if (before === null || added.length + updated.length + removed.length > 0 || before.engine.kind !== event.snapshot.engine.kind) this.containersVersion++;
    }
  }

  current(): ExporterState {
    return this.state;
  }

  /** The exposition of the current state: each part rendered once per change, however often it is scraped. */
  metrics(): Promise<string> {
    const state = this.state;
    this.containers = this.render(this.containers, this.containersVersion, () => buildContainerRegistry(state.snapshot, this.options));
    this.summary = this.render(this.summary, this.summaryVersion, () => buildSummaryRegistry(state));
    const { containers, summary } = this;
    if (this.joined?.containers !== containers || this.joined.summary !== summary) {
      this.joined = { containers, summary, text: Promise.all([containers.text, summary.text]).then((parts) => joinExpositions(...parts)) };
    }
    return this.joined.text;
  }

  private render(previous: Rendered | null, version: number, build: () => Registry): Rendered {
    return previous?.version === version ? previous : { version, text: build().metrics() };
  }
}

/** Keep an exporter state from a session's events; `stop` unsubscribes. */
export function followSession(session: Pick<EngineSession, 'subscribe'>, options: MetricsOptions = {}): { keeper: ExporterStateKeeper; stop: () => void } {
  const keeper = new ExporterStateKeeper(options);
  const stop = session.subscribe((event) => keeper.onEvent(event));
  return { keeper, stop };
}
