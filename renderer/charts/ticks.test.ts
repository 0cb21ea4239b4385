import { describe, expect, it } from 'vitest';
import { byteUnit, formatInUnit, niceTicks } from './ticks.js';

describe('niceTicks', () => {
  it('rounds percentages to a step of 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceTicks(77)).toEqual([0, 20, 40, 60, 80]);
    expect(niceTicks(9)).toEqual([0, 2.5, 5, 7.5, 10]);
  });

  it('rounds bytes in their display unit and always covers the maximum', () => {
    const MiB = 1024 * 1024;
    const ticks = niceTicks(244 * MiB, byteUnit(244 * MiB));
    expect(ticks.map((t) => t / MiB)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(ticks.at(-1)!).toBeGreaterThanOrEqual(244 * MiB);
  });

  it('labels every tick of an axis in the same unit', () => {
    const MiB = 1024 * 1024;
    expect(niceTicks(2 * MiB, byteUnit(2 * MiB)).map((t) => formatInUnit(t, MiB, '/s'))).toEqual(['0 MiB/s', '0.5 MiB/s', '1 MiB/s', '1.5 MiB/s', '2 MiB/s']);
  });

  it('gives a usable axis for an all-zero series', () => {
    expect(niceTicks(0).at(-1)!).toBeGreaterThan(0);
  });

  it('never repeats a label in the base unit (an idle container: 0 %, one process)', () => {
    for (const max of [0, 0.3, 1, 3]) {
      const labels = niceTicks(max).map((t) => String(t));
      expect(new Set(labels).size).toBe(labels.length);
      expect(niceTicks(max).every(Number.isInteger)).toBe(true);
    }
  });
});
