// The sample rate a client of `isolens serve` actually gets: stats arrivals per container, as received, over a window.
//
// bench:live feeds it the WebSocket frames the UI receives (and the ids the UI declared with setVisibleContainers), or
// those of a plain client that declares nothing, and prints per-container samples per second, the gap between two
// consecutive samples of one container (p50, p95, max) and how late samples arrive after they were taken.

/** One client's arrivals: receive times per container id, and the delay from the sample's atMs to its arrival. */
export class StatsArrivals {
  private readonly received = new Map<string, number[]>();
  /** The samples' own times (atMs), per id: serve's pace, without the delivery's delays. */
  private readonly sampled = new Map<string, number[]>();
  private readonly lagsMs: number[] = [];
  private frames = 0;
  private from: number | null = null;
  private to: number | null = null;

  /** Frames received between start and stop count; the rest is ignored. */
  start(nowMs: number): void {
    this.received.clear();
    this.sampled.clear();
    this.lagsMs.length = 0;
    this.frames = 0;
    this.from = nowMs;
    this.to = null;
  }

  stop(nowMs: number): void {
    this.to = nowMs;
  }

  /** One WebSocket text frame (any event type; only stats events are read). */
  onFrame(text: string, receivedMs: number): void {
    if (this.from === null || this.to !== null || receivedMs < this.from) return;
    // The server writes the type first; skip parsing snapshots and deltas (megabytes at 1,000 containers).
    if (!text.startsWith('{"type":"stats"')) return;
    const event = JSON.parse(text) as { stats: Array<{ id: string; atMs: number }> };
    this.frames++;
    for (const sample of event.stats) {
      let times = this.received.get(sample.id);
      if (!times) this.received.set(sample.id, (times = []));
      times.push(receivedMs);
      let taken = this.sampled.get(sample.id);
      if (!taken) this.sampled.set(sample.id, (taken = []));
      taken.push(sample.atMs);
      this.lagsMs.push(receivedMs - sample.atMs);
    }
  }

  get windowMs(): number {
    if (this.from === null || this.to === null) throw new Error('StatsArrivals: start and stop the window first');
    return this.to - this.from;
  }

  /** Stats events received in the window. */
  get frameCount(): number {
    return this.frames;
  }

  /** Ids that got at least one sample in the window. */
  ids(): string[] {
    return [...this.received.keys()];
  }

  /** The figures of these containers (those that got no sample count with zero samples). */
  figures(ids: Iterable<string>): RateFigures {
    const list = [...ids];
    const gaps: number[] = [];
    const sampledGaps: number[] = [];
    let samples = 0;
    for (const id of list) {
      const times = this.received.get(id) ?? [];
      samples += times.length;
      for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
      const taken = this.sampled.get(id) ?? [];
      for (let i = 1; i < taken.length; i++) sampledGaps.push(taken[i]! - taken[i - 1]!);
    }
    return {
      containers: list.length,
      perContainerPerSecond: list.length === 0 ? NaN : samples / list.length / (this.windowMs / 1000),
      gapMs: { p50: percentile(gaps, 50), p95: percentile(gaps, 95), max: gaps.length === 0 ? NaN : Math.max(...gaps) },
      sampledGapMs: { p95: percentile(sampledGaps, 95), max: sampledGaps.length === 0 ? NaN : Math.max(...sampledGaps) },
      lagMs: { p50: percentile(this.lagsMs, 50), p95: percentile(this.lagsMs, 95) },
    };
  }
}

export interface RateFigures {
  containers: number;
  /** Samples received per container per second of the window (1 at 1 Hz, 0.1 every 10 s). */
  perContainerPerSecond: number;
  /** Between two consecutive samples of one container, as received. */
  gapMs: { p50: number; p95: number; max: number };
  /** The same between the samples' own times (atMs): serve's pace, whatever the delivery added. */
  sampledGapMs: { p95: number; max: number };
  /** Receive time minus the sample's own time, over every sample of the client (not only these ids). */
  lagMs: { p50: number; p95: number };
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * The ids a viewer declared visible for the whole window: the list in force at its start, intersected with every list
 * declared during it (a row scrolled in halfway is sampled at 1 Hz only for part of the window).
 */
export function visibleThroughout(declared: ReadonlyArray<{ atMs: number; ids: readonly string[] }>, fromMs: number, toMs: number): Set<string> {
  const before = declared.filter((d) => d.atMs <= fromMs).at(-1);
  const during = declared.filter((d) => d.atMs > fromMs && d.atMs <= toMs);
  const lists = before ? [before, ...during] : during;
  if (lists.length === 0) return new Set();
  let out = new Set(lists[0]!.ids);
  for (const list of lists.slice(1)) out = new Set(list.ids.filter((id) => out.has(id)));
  return out;
}

/** "22 containers: 0.99 samples/s each, gap p95 1,012 ms (p50 1,000, max 1,480; by sample time p95 1,004, max 1,010)" */
export function describeRate(figures: RateFigures): string {
  const ms = (value: number) => (Number.isNaN(value) ? '–' : `${Math.round(value).toLocaleString('en')}`);
  return `${figures.containers} containers: ${figures.perContainerPerSecond.toFixed(2)} samples/s each, gap p95 ${ms(figures.gapMs.p95)} ms (p50 ${ms(figures.gapMs.p50)}, max ${ms(figures.gapMs.max)}; by sample time p95 ${ms(figures.sampledGapMs.p95)}, max ${ms(figures.sampledGapMs.max)})`;
}
