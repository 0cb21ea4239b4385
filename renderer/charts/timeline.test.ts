import { describe, expect, it } from 'vitest';
import { brokenAtGaps, isGap, runsInWindow, windowEnd } from './timeline.js';

const at = (seconds: readonly number[]) => seconds.map((s) => ({ atMs: s * 1000 }));
/** For each step of the series (in seconds), whether it is a gap, the container shown here since `shownSince` s. */
const gaps = (seconds: readonly number[], shownSince: number | null) => seconds.slice(1).map((s, i) => isGap(seconds[i]! * 1000, s * 1000, shownSince === null ? null : shownSince * 1000));

describe('isGap', () => {
  it('once the container is shown here (sampled every second), breaks at a step of more than three seconds', () => {
    // Shown since 0: every second, one missed sample (2 s), then a pause of 5 s.
    expect(gaps([2, 3, 4, 6, 7, 12, 13], 0)).toEqual([false, false, false, false, true, false]);
  });

  it('is not fooled by 10 s steps from before the container was shown, nor by the step into 1 s sampling', () => {
    // Sampled every 10 s (off screen), shown here at 31 s: the host hears and samples it from its next tick.
    expect(gaps([0, 10, 20, 30, 32, 33, 34], 31)).toEqual([false, false, false, false, false, false]);
    // A row that left the view and came back (shown again since 45 s): its 10 s steps meanwhile are regular.
    expect(gaps([30, 31, 32, 40, 50, 51, 52], 45)).toEqual([false, false, false, false, false, false]);
  });

  it('breaks a series not shown here (or from before) only at a step of more than three 10 s intervals', () => {
    expect(gaps([0, 10, 20, 30, 60, 61, 95], null)).toEqual([false, false, false, false, false, true]);
    expect(gaps([0, 1, 2, 20, 21], null)).toEqual([false, false, false, false]);
    expect(gaps([0, 1, 2, 40, 41], 100)).toEqual([false, false, true, false]);
  });
});

describe('runsInWindow', () => {
  it('keeps the window only, judging its first step from the sample before it', () => {
    // The window of 30 s ending at 32 starts at 2: the sample at 0 is dropped, the step from it to 10 is no gap.
    expect(runsInWindow(at([0, 10, 20, 30, 31, 32]), 30_000, 32_000, 29_000).map((run) => run.map((s) => s.atMs / 1000))).toEqual([[10, 20, 30, 31, 32]]);
    // Shown since 0: the pause from 3 to 13 s breaks the line; the window (from 2 s) starts in the first run.
    expect(runsInWindow(at([0, 1, 2, 3, 13, 14]), 12_000, 14_000, 0).map((run) => run.map((s) => s.atMs / 1000))).toEqual([[2, 3], [13, 14]]);
  });
});

describe('brokenAtGaps', () => {
  it('puts one blank point in the middle of each gap and counts the real samples', () => {
    const { points, samples } = brokenAtGaps(at([0, 1, 2, 20, 21]), 60_000, 21_000, -5000, (atMs) => ({ atMs, blank: true }));
    expect(points.map((p) => p.atMs / 1000)).toEqual([0, 1, 2, 11, 20, 21]);
    expect(points[3]).toEqual({ atMs: 11_000, blank: true });
    expect(samples).toBe(5);
    expect(brokenAtGaps(at([0, 1, 2, 20, 21]), 60_000, 21_000, null, (atMs) => ({ atMs, blank: true })).points).toHaveLength(5);
  });
});

describe('windowEnd', () => {
  it('is now, or the newest sample when it is stamped ahead of this clock', () => {
    expect(windowEnd(at([1, 2]), 5000)).toBe(5000);
    expect(windowEnd(at([1, 9]), 5000)).toBe(9000);
    expect(windowEnd([], 5000)).toBe(5000);
  });
});
