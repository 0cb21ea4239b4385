// Turns the cumulative counters of live stats (network, block I/O) into per-second rates for charts, each over the real
// time between two samples (1 s or 10 s apart, or a gap). CPU % needs no such step: the host sends it as a rate.
import type { LiveStats } from '../../app/model/live.js';

export interface ChartPoint {
  atMs: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  pids: number | null;
  pidsLimit: number | null;
  networkRxBytesPerSecond: number | null;
  networkTxBytesPerSecond: number | null;
  blockReadBytesPerSecond: number | null;
  blockWriteBytesPerSecond: number | null;
}

function rate(current: number | null, previous: number | null, seconds: number): number | null {
  if (current === null || previous === null || seconds <= 0) return null;
  const delta = current - previous;
  return delta < 0 ? null : delta / seconds; // a counter that went backwards was reset (container restarted)
}

export function chartPoints(samples: readonly LiveStats[]): ChartPoint[] {
  return samples.map((s, index) => {
    const previous = index > 0 ? samples[index - 1]! : null;
    const seconds = previous ? (s.atMs - previous.atMs) / 1000 : 0;
    return {
      atMs: s.atMs,
      cpuPercent: s.cpuPercent,
      memoryBytes: s.memoryBytes,
      memoryLimitBytes: s.memoryLimitBytes,
      pids: s.pids,
      pidsLimit: s.pidsLimit,
      networkRxBytesPerSecond: previous ? rate(s.networkRxBytes, previous.networkRxBytes, seconds) : null,
      networkTxBytesPerSecond: previous ? rate(s.networkTxBytes, previous.networkTxBytes, seconds) : null,
      blockReadBytesPerSecond: previous ? rate(s.blockReadBytes, previous.blockReadBytes, seconds) : null,
      blockWriteBytesPerSecond: previous ? rate(s.blockWriteBytes, previous.blockWriteBytes, seconds) : null,
    };
  });
}

/** A point with no values: where a chart's lines break (a gap in the samples). */
export function gapPoint(atMs: number): ChartPoint {
  return {
    atMs,
    cpuPercent: null,
    memoryBytes: null,
    memoryLimitBytes: null,
    pids: null,
    pidsLimit: null,
    networkRxBytesPerSecond: null,
    networkTxBytesPerSecond: null,
    blockReadBytesPerSecond: null,
    blockWriteBytesPerSecond: null,
  };
}
