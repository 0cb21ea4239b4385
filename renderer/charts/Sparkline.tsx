// A tiny trend line for the table: the last minute of CPU or memory, beside the current value.
// Drawn as one SVG polyline rather than a recharts chart: measured in a production build with 1,000 containers,
// re-rendering ~40 visible recharts sparklines every second cost 75–275 ms of main thread per second (long tasks);
// this costs well under a millisecond. recharts stays for every chart with axes (overview, drill-down).
import { memo } from 'react';
import type { LiveStats } from '../../app/model/live.js';
import { SERIES } from './colors.js';

const POINTS = 60;
const WIDTH = 84;
const HEIGHT = 22;
const PADDING = 2;

/** SVG points of a series scaled into the box; null values break nothing, they are skipped. */
export function sparklinePoints(values: readonly (number | null)[], top: number | null): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const max = top ?? Math.max(...present, 0);
  const scale = max > 0 ? (HEIGHT - 2 * PADDING) / max : 0;
  const step = values.length > 1 ? WIDTH / (POINTS - 1) : 0;
  const offset = (POINTS - values.length) * step; // fewer than a minute of samples: the line ends at "now" on the right
  const points: string[] = [];
  values.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) return;
    const x = offset + index * step;
    const y = HEIGHT - PADDING - Math.min(value, max) * scale;
    points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  return points.join(' ');
}

export const Sparkline = memo(function Sparkline({ samples, metric }: { samples: readonly LiveStats[]; metric: 'cpu' | 'memory' }) {
  const recent = samples.slice(-POINTS);
  if (recent.length < 2) return <span className="spark-empty muted">…</span>;
  const values = recent.map((s) => (metric === 'cpu' ? s.cpuPercent : s.memoryBytes));
  // Memory is drawn against its limit when there is one, so a line near the top means "about to be OOM-killed".
  const top = metric === 'memory' ? recent.at(-1)?.memoryLimitBytes ?? null : null;
  return (
    <svg className="spark" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true">
      <polyline points={sparklinePoints(values, top)} fill="none" stroke={metric === 'cpu' ? SERIES.cpu : SERIES.memory} strokeWidth={1.5} strokeLinejoin="round" />
    </svg>
  );
});
