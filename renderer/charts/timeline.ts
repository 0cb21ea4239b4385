// Where a chart's line breaks: samples are placed by their time, and a gap in time is drawn as a gap, not bridged.
// The host samples what a viewer shows every second and everything else every ten seconds, so the spacing of one
// container's samples changes as it scrolls in and out of view. Only this window knows when it showed a container:
// from then on a step longer than a few seconds is a gap (an engine pause, missed samples); before, only a step
// longer than a few slow intervals is, since the host may have sampled it every ten seconds.
import { UNSEEN_EVERY } from '../../app/model/viewers.js';

/** The host's stats interval (1 s), the spacing of samples of a container on screen. */
const FASTEST_INTERVAL_MS = 1000;
/** The spacing of samples of a container no viewer shows. */
const SLOWEST_INTERVAL_MS = UNSEEN_EVERY * FASTEST_INTERVAL_MS;
/** Missed samples beyond this many intervals are a gap. */
const GAP_INTERVALS = 3;
/** How long after a container is shown the host samples it every second (it hears within 150 ms, then its next tick). */
const SETTLE_MS = 2000;

/**
 * Whether the line breaks between two consecutive samples. `shownSinceMs`: since when this window has shown the
 * container without a break (IsolensStore.shownSinceMs), so the host samples it every second; null if it does not.
 */
export function isGap(previousMs: number, atMs: number, shownSinceMs: number | null): boolean {
  const everySecond = shownSinceMs !== null && previousMs >= shownSinceMs + SETTLE_MS;
  return atMs - previousMs > GAP_INTERVALS * (everySecond ? FASTEST_INTERVAL_MS : SLOWEST_INTERVAL_MS);
}

/**
 * The samples inside the window [endMs - windowMs, endMs] (samples ascending by atMs), in runs: a new run starts after
 * each gap, the window's first step judged from the sample before it.
 */
export function runsInWindow<T extends { atMs: number }>(samples: readonly T[], windowMs: number, endMs: number, shownSinceMs: number | null): T[][] {
  const startMs = endMs - windowMs;
  const runs: T[][] = [];
  let run: T[] = [];
  samples.forEach((sample, index) => {
    if (index > 0 && run.length > 0 && isGap(samples[index - 1]!.atMs, sample.atMs, shownSinceMs)) {
      runs.push(run);
      run = [];
    }
    if (sample.atMs >= startMs && sample.atMs <= endMs) run.push(sample);
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * The window's samples as one series for a chart that breaks its line at a missing value (recharts' connectNulls
 * false): a blank point (gapAt) sits in the middle of each gap. `samples` counts the real ones.
 */
export function brokenAtGaps<T extends { atMs: number }>(series: readonly T[], windowMs: number, endMs: number, shownSinceMs: number | null, gapAt: (atMs: number) => T): { points: T[]; samples: number } {
  const runs = runsInWindow(series, windowMs, endMs, shownSinceMs);
  const points = runs.flatMap((run, index) => (index === 0 ? run : [gapAt((runs[index - 1]!.at(-1)!.atMs + run[0]!.atMs) / 2), ...run]));
  return { points, samples: points.length - Math.max(0, runs.length - 1) };
}

/** The right edge of a live window: now, or the newest sample if the host's clock runs ahead of this one. */
export function windowEnd(samples: readonly { atMs: number }[], nowMs = Date.now()): number {
  return Math.max(nowMs, samples.at(-1)?.atMs ?? nowMs);
}
