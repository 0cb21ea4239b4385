import { describe, expect, it } from 'vitest';
import { SPARKLINE_WINDOW_MS, sparklinePath, type SparkSample } from './Sparkline.js';

const NOW = 1_700_000_000_000;
/** Samples ending at NOW, spaced by the given seconds (oldest first), with the given values. */
function spaced(secondsApart: readonly number[], values: readonly (number | null)[]): SparkSample[] {
  const out: SparkSample[] = [];
  let atMs = NOW;
  for (let i = values.length - 1; i >= 0; i--) {
    out.unshift({ atMs, value: values[i]! });
    atMs -= (secondsApart[i - 1] ?? 0) * 1000;
  }
  return out;
}
/** The path's strokes, each as its [x, y] points. */
function strokes(d: string): Array<Array<[number, number]>> {
  return d.split('M').filter(Boolean).map((stroke) => stroke.replace(/h0$/, '').split('L').map((p) => p.split(',').map(Number) as [number, number]));
}

describe('sparklinePath', () => {
  it('puts the maximum at the top and zero at the bottom of the 22 px box', () => {
    const { d } = sparklinePath(spaced([1, 1], [0, 50, 100]), null, NOW);
    expect(strokes(d)[0]!.map(([, y]) => y)).toEqual([20, 11, 2]);
  });

  it('scales against a limit when one is given, and clamps above it', () => {
    const { d } = sparklinePath(spaced([1], [50, 200]), 100, NOW);
    expect(strokes(d)[0]!.map(([, y]) => y)).toEqual([11, 2]);
  });

  it('places samples by time: the newest at the right edge, one 10 s older a sixth of the width to its left', () => {
    const { d } = sparklinePath(spaced([10], [1, 2]), null, NOW);
    expect(strokes(d)[0]!.map(([x]) => x)).toEqual([70, 84]);
    // Five seconds after the last sample the line ends before the right edge: nothing is known of those seconds.
    expect(strokes(sparklinePath(spaced([10], [1, 2]), null, NOW + 5000).d)[0]!.map(([x]) => x)).toEqual([63, 77]);
  });

  it('draws ten minutes of 10 s samples as its last minute only, then 1 s samples at their own spacing', () => {
    // A row off screen for ten minutes (sampled every 10 s) scrolled into view five seconds ago (every second since).
    const tenSecond = Array.from({ length: 60 }, () => 10);
    const samples = spaced([...tenSecond, 1, 1, 1, 1], Array.from({ length: 65 }, (_, i) => i));
    const { d, points } = sparklinePath(samples, null, NOW, NOW - 5500);
    const [line] = strokes(d);
    expect(strokes(d)).toHaveLength(1);
    // 10 s samples at -54 … -14 s (five of them; -64 s is outside), then the five at -4 … 0 s, 1.4 px a second.
    expect(points).toBe(5 + 5);
    expect(line!.map(([x]) => x)).toEqual([8.4, 22.4, 36.4, 50.4, 64.4, 78.4, 79.8, 81.2, 82.6, 84]);
  });

  it('breaks the line at a gap in sampling instead of bridging it, and at a missing value', () => {
    // Shown for the whole minute (sampled every second), then 20 s with no sample (an engine pause), then again.
    const shown = NOW - 120_000;
    const paused = spaced([1, 1, 20, 1, 1], [5, 5, 5, 7, 7, 7]);
    const { d, points } = sparklinePath(paused, null, NOW, shown);
    expect(points).toBe(6);
    expect(strokes(d).map((stroke) => stroke.length)).toEqual([3, 3]);
    // Not shown here, the host may have sampled it every 10 s: only a longer silence is a gap.
    expect(strokes(sparklinePath(paused, null, NOW, null).d)).toHaveLength(1);
    expect(strokes(sparklinePath(spaced([1, 40, 1], [1, 1, 2, 2]), null, NOW, null).d)).toHaveLength(2);
    // One missed sample is not a gap; a missing value is (the first CPU sample has none).
    expect(strokes(sparklinePath(spaced([1, 2, 1], [1, 2, 3, 4]), null, NOW, shown).d)).toHaveLength(1);
    expect(strokes(sparklinePath(spaced([1, 1, 1], [1, null, 3, 4]), null, NOW, shown).d).map((stroke) => stroke.length)).toEqual([1, 2]);
  });

  it('draws a lone sample as a dot, and nothing of samples older than the minute', () => {
    // -65 s is outside the window; -59 s is followed by 40 s with no sample, then three seconds of samples.
    const samples = [-65, -59, -19, -18, -17].map((s) => ({ atMs: NOW + s * 1000, value: 1 }));
    const { d, points } = sparklinePath(samples, null, NOW, null);
    expect(points).toBe(4);
    expect(d.startsWith('M1.4,')).toBe(true);
    expect(strokes(d).map((stroke) => stroke.length)).toEqual([1, 3]);
    expect(d.match(/h0/g)).toHaveLength(1);
    const old = sparklinePath([{ atMs: NOW - SPARKLINE_WINDOW_MS - 1000, value: 9 }, { atMs: NOW - SPARKLINE_WINDOW_MS - 2, value: 9 }], null, NOW);
    expect(old).toEqual({ d: '', points: 0 });
  });
});
