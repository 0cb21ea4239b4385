// The exporter's state, kept current from the engine session's events; a scrape reads it and never starts a scan.
import type { EngineSession, SessionEvent } from '../poller/session.js';
import { renderMetrics, type ExporterState, type MetricsOptions } from './metrics.js';

export class ExporterStateKeeper {
  private state: ExporterState = { snapshot: null, engineUp: false, scanDurationSeconds: null, scrapeErrorsTotal: 0 };
  private version = 0;
  private rendered: { version: number; text: Promise<string> } | null = null;

  constructor(private readonly options: MetricsOptions = {}) {}

  /** One session event in. Container-* deltas are not needed: each is followed by the snapshot that holds it. */
  onEvent(event: SessionEvent): void {
    if (event.type === 'engine') {
      const up = event.state.status === 'connected';
      // Every attempt that ends unreachable is a time the state could not be kept current.
      const failed = event.state.status === 'unreachable';
      if (up === this.state.engineUp && !failed) return;
      this.update({ engineUp: up, scrapeErrorsTotal: this.state.scrapeErrorsTotal + (failed ? 1 : 0) });
    } else if (event.type === 'snapshot') {
      // The last snapshot stays while the engine is away (as in the UI); isolens_engine_up says it is not current.
      this.update({ snapshot: event.snapshot, scanDurationSeconds: event.durationMs === undefined ? null : event.durationMs / 1000 });
    }
  }

  current(): ExporterState {
    return this.state;
  }

  /** The exposition of the current state, rendered once per change however often it is scraped. */
  metrics(): Promise<string> {
    if (this.rendered?.version !== this.version) {
      this.rendered = { version: this.version, text: renderMetrics(this.state, this.options) };
    }
    return this.rendered.text;
  }

  private update(patch: Partial<ExporterState>): void {
    this.state = { ...this.state, ...patch };
    this.version++;
  }
}

/** Keep an exporter state from a session's events; `stop` unsubscribes. */
export function followSession(session: Pick<EngineSession, 'subscribe'>, options: MetricsOptions = {}): { keeper: ExporterStateKeeper; stop: () => void } {
  const keeper = new ExporterStateKeeper(options);
  const stop = session.subscribe((event) => keeper.onEvent(event));
  return { keeper, stop };
}
