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
});
