import { describe, expect, it } from 'vitest';
import type { LiveStats } from '../../app/model/live.js';
import { chartPoints } from './rates.js';

function stats(atMs: number, rx: number, read: number): LiveStats {
  return {
    id: 'a', atMs, cpuPercent: 1, memoryBytes: 1, memoryLimitBytes: null, pids: 1, pidsLimit: null,
    networkRxBytes: rx, networkTxBytes: 0, blockReadBytes: read, blockWriteBytes: null,
    cpuThrottledPeriods: null, cpuThrottledUs: null, oomKills: null,
  };
}

describe('chartPoints', () => {
  it('turns cumulative counters into per-second rates over the real interval', () => {
    const points = chartPoints([stats(0, 1000, 0), stats(2000, 5000, 4096)]);
    expect(points[0]!.networkRxBytesPerSecond).toBeNull();
    expect(points[1]!.networkRxBytesPerSecond).toBe(2000);
    expect(points[1]!.blockReadBytesPerSecond).toBe(2048);
    expect(points[1]!.blockWriteBytesPerSecond).toBeNull();
  });

  it('shows no rate, rather than a negative one, when a counter was reset', () => {
    const points = chartPoints([stats(0, 9000, 0), stats(1000, 100, 0)]);
    expect(points[1]!.networkRxBytesPerSecond).toBeNull();
  });

  it('divides by the real time between samples as they change from every 10 s to every second, and over a gap', () => {
    // 1,000 bytes a second throughout: sampled at 0, 10, 20, then 21, 22, then after a 30 s pause at 52.
    const points = chartPoints([0, 10, 20, 21, 22, 52].map((s) => stats(s * 1000, s * 1000, 0)));
    expect(points.slice(1).map((p) => p.networkRxBytesPerSecond)).toEqual([1000, 1000, 1000, 1000, 1000]);
  });
});
