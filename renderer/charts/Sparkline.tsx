// A tiny trend line for the table: the last minute of CPU or memory, beside the current value, placed by sample time.
// Drawn as one SVG path rather than a recharts chart: measured in a production build with 1,000 containers,
// re-rendering ~40 visible recharts sparklines every second cost 75–275 ms of main thread per second (long tasks);
// this costs well under a millisecond. recharts stays for every chart with axes (overview, drill-down).
import { memo } from 'react';
import type { LiveStats } from '../../app/model/live.js';
import { useShownSinceMs } from '../state/hooks.js';
import { SERIES } from './colors.js';
import { runsInWindow, windowEnd } from './timeline.js';

/** The minute the sparkline shows, ending now. */
export const SPARKLINE_WINDOW_MS = 60_000;
const WIDTH = 84;
const HEIGHT = 22;
const PADDING = 2;

export interface SparkSample {
  atMs: number;
  value: number | null;
}

/**
 * The SVG path of a series in the box: x by time over the minute ending at endMs (older samples are dropped), y scaled
 * to top (or the minute's maximum). The line breaks at gaps in time (judged by `shownSinceMs`, see timeline.ts) and at
 * missing values; a lone sample is a dot. `points` counts the samples drawn.
 */
export function sparklinePath(samples: readonly SparkSample[], top: number | null, endMs: number, shownSinceMs: number | null = null): { d: string; points: number } {
  const runs = runsInWindow(samples, SPARKLINE_WINDOW_MS, endMs, shownSinceMs);
  let max = top ?? 0;
  if (top === null) for (const run of runs) for (const s of run) if (s.value !== null && Number.isFinite(s.value)) max = Math.max(max, s.value);
  const scale = max > 0 ? (HEIGHT - 2 * PADDING) / max : 0;
  const parts: string[] = [];
  let points = 0;
  for (const run of runs) {
    let open = false; // a missing value ends the stroke as a gap does
    run.forEach((sample, index) => {
      const { value } = sample;
      if (value === null || !Number.isFinite(value)) {
        open = false;
        return;
      }
      const x = WIDTH - ((endMs - sample.atMs) / SPARKLINE_WINDOW_MS) * WIDTH;
      const y = HEIGHT - PADDING - Math.min(value, max) * scale;
      const point = `${x.toFixed(1)},${y.toFixed(1)}`;
      const next = run[index + 1];
      const alone = !open && (next === undefined || next.value === null || !Number.isFinite(next.value));
      parts.push(open ? `L${point}` : alone ? `M${point}h0` : `M${point}`);
      open = true;
      points++;
    });
  }
  return { d: parts.join(''), points };
}

export const Sparkline = memo(function Sparkline({ samples, metric }: { samples: readonly LiveStats[]; metric: 'cpu' | 'memory' }) {
  const series = samples.map((s) => ({ atMs: s.atMs, value: metric === 'cpu' ? s.cpuPercent : s.memoryBytes }));
  // Memory is drawn against its limit when there is one, so a line near the top means "about to be OOM-killed".
  const top = metric === 'memory' ? samples.at(-1)?.memoryLimitBytes ?? null : null;
  const shownSinceMs = useShownSinceMs(samples.at(-1)?.id);
  const { d, points } = sparklinePath(series, top, windowEnd(samples), shownSinceMs);
  if (points < 2) return <span className="spark-empty muted">…</span>;
  return (
    <svg className="spark" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" data-points={points}>
      <path d={d} fill="none" stroke={metric === 'cpu' ? SERIES.cpu : SERIES.memory} strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
});
