// Five-minute live charts for one container: CPU, memory and pids against their limits, network and block I/O rates.
import { memo, type ReactNode } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LiveStats } from '../../app/model/live.js';
import { formatBytes, formatPercent, formatRate } from '../state/format.js';
import { useShownSinceMs } from '../state/hooks.js';
import { SERIES } from './colors.js';
import { chartPoints, gapPoint, type ChartPoint } from './rates.js';
import { brokenAtGaps, windowEnd } from './timeline.js';
import { byteUnit, formatInUnit, niceTicks } from './ticks.js';

/** The five minutes the charts show, ending now (the store keeps at least that much at one sample a second). */
const WINDOW_MS = 5 * 60_000;

function secondsAgo(endMs: number) {
  return (atMs: number) => {
    const seconds = Math.round((endMs - atMs) / 1000);
    return seconds === 0 ? 'now' : `-${seconds >= 60 ? `${Math.round(seconds / 60)}m` : `${seconds}s`}`;
  };
}

function ChartFrame({ title, current, testId, points, children }: { title: string; current: ReactNode; testId: string; points: number; children: ReactNode }) {
  return (
    <figure className="live-chart" data-testid={testId} data-points={points}>
      <figcaption>
        <span>{title}</span>
        <span className="live-current">{current}</span>
      </figcaption>
      <div className="live-chart-body">{children}</div>
    </figure>
  );
}

interface SeriesSpec {
  key: keyof ChartPoint;
  name: string;
  color: string;
}

function TimeChart({ data, series, endMs, format, limit, limitLabel, bytes = false, rate = false }: {
  data: ChartPoint[];
  series: SeriesSpec[];
  endMs: number;
  format: (value: number) => string;
  limit?: number | null;
  limitLabel?: string;
  /** Values are bytes: ticks round in KiB/MiB/GiB. */
  bytes?: boolean;
  /** Values are per second. */
  rate?: boolean;
}) {
  let maxSeen = 0;
  for (const point of data) for (const s of series) maxSeen = Math.max(maxSeen, (point[s.key] as number | null) ?? 0);
  // The limit stays on the chart even when usage is far below it: the distance to it is the information.
  const max = Math.max(limit ?? 0, maxSeen);
  const unit = bytes ? byteUnit(max) : 1;
  const ticks = niceTicks(max, unit);
  const top = ticks.at(-1)!;
  const tickLabel = bytes ? (v: number) => formatInUnit(v, unit, rate ? '/s' : '') : format;
  return (
    <ResponsiveContainer width="100%" height={150}>
      <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
        <CartesianGrid strokeDasharray="2 4" stroke="#8a94a6" strokeOpacity={0.35} vertical={false} />
        <XAxis dataKey="atMs" type="number" domain={[endMs - WINDOW_MS, endMs]} tickFormatter={secondsAgo(endMs)} ticks={[endMs - 240_000, endMs - 180_000, endMs - 120_000, endMs - 60_000, endMs]} className="chart-axis" fontSize={11} allowDataOverflow interval={0} />
        <YAxis domain={[0, top]} ticks={ticks} tickFormatter={tickLabel} width={74} className="chart-axis" fontSize={11} allowDataOverflow interval={0} />
        <Tooltip isAnimationActive={false} labelFormatter={(value) => secondsAgo(endMs)(Number(value))} formatter={(value) => (typeof value === 'number' ? format(value) : String(value))} contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' }} />
        {series.length > 1 ? <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={{ fontSize: 12 }} /> : null}
        {limit ? <ReferenceLine y={limit} stroke={SERIES.limit} strokeDasharray="6 3" label={{ value: limitLabel ?? 'limit', position: 'insideTopRight', fill: SERIES.limit, fontSize: 11 }} /> : null}
        {series.map((s) => (
          <Line key={s.key} type="linear" dataKey={s.key} name={s.name} stroke={s.color} dot={false} strokeWidth={1.6} isAnimationActive={false} connectNulls={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

export const LiveCharts = memo(function LiveCharts({ samples, cpuQuotaCores }: { samples: readonly LiveStats[]; cpuQuotaCores: number | null }) {
  const last = samples.at(-1);
  const shownSinceMs = useShownSinceMs(last?.id);
  if (!last) return <p className="muted" data-testid="live-charts-empty">Waiting for the first live sample…</p>;
  // By sample time over the five minutes ending now: samples come every second while the drill-down is open, every
  // ten seconds before it was; a pause of the engine or the sampler shows as a break in the lines.
  const endMs = windowEnd(samples);
  const rates = chartPoints(samples); // over the whole series, so the window's first rate has the sample before it
  const { points: data, samples: drawn } = brokenAtGaps(rates, WINDOW_MS, endMs, shownSinceMs, gapPoint);
  const lastPoint = rates.at(-1)!;
  const cpuLimitPercent = cpuQuotaCores === null ? null : cpuQuotaCores * 100;
  return (
    <div className="live-charts" data-testid="live-charts">
      <ChartFrame title="CPU" testId="live-chart-cpu" points={drawn} current={<>{formatPercent(last.cpuPercent)} {cpuLimitPercent === null ? <span className="unlimited">no quota</span> : <span className="muted">of {formatPercent(cpuLimitPercent, 0)}</span>}</>}>
        <TimeChart data={data} endMs={endMs} series={[{ key: 'cpuPercent', name: 'CPU', color: SERIES.cpu }]} format={(v) => `${Math.round(v)} %`} limit={cpuLimitPercent} limitLabel="quota" />
      </ChartFrame>
      <ChartFrame title="Memory" testId="live-chart-memory" points={drawn} current={<>{formatBytes(last.memoryBytes)} {last.memoryLimitBytes === null ? <span className="unlimited">no limit</span> : <span className="muted">of {formatBytes(last.memoryLimitBytes)}</span>}</>}>
        <TimeChart data={data} endMs={endMs} series={[{ key: 'memoryBytes', name: 'Memory', color: SERIES.memory }]} format={formatBytes} limit={last.memoryLimitBytes} bytes />
      </ChartFrame>
      <ChartFrame title="Processes" testId="live-chart-pids" points={drawn} current={<>{last.pids ?? '—'} {last.pidsLimit === null ? <span className="unlimited">no limit</span> : <span className="muted">of {last.pidsLimit}</span>}</>}>
        <TimeChart data={data} endMs={endMs} series={[{ key: 'pids', name: 'pids', color: SERIES.pids }]} format={(v) => String(Math.round(v))} limit={last.pidsLimit} />
      </ChartFrame>
      <ChartFrame title="Network" testId="live-chart-network" points={drawn} current={<>↓ {formatRate(lastPoint.networkRxBytesPerSecond)} ↑ {formatRate(lastPoint.networkTxBytesPerSecond)}</>}>
        <TimeChart data={data} endMs={endMs} series={[{ key: 'networkRxBytesPerSecond', name: 'received', color: SERIES.rx }, { key: 'networkTxBytesPerSecond', name: 'sent', color: SERIES.tx }]} format={(v) => formatRate(v)} bytes rate />
      </ChartFrame>
      <ChartFrame title="Block I/O" testId="live-chart-block" points={drawn} current={<>read {formatRate(lastPoint.blockReadBytesPerSecond)} · write {formatRate(lastPoint.blockWriteBytesPerSecond)}</>}>
        <TimeChart data={data} endMs={endMs} series={[{ key: 'blockReadBytesPerSecond', name: 'read', color: SERIES.read }, { key: 'blockWriteBytesPerSecond', name: 'write', color: SERIES.write }]} format={(v) => formatRate(v)} bytes rate />
      </ChartFrame>
      <p className="muted live-note">
        CPU throttled {last.cpuThrottledPeriods ?? '—'} periods ({last.cpuThrottledUs === null ? '—' : `${(last.cpuThrottledUs / 1000).toFixed(0)} ms`}) · OOM kills {last.oomKills ?? '—'} · sampled from cgroupfs every second, last five minutes
      </p>
    </div>
  );
});
