import { describe, expect, it } from 'vitest';
import { sparklinePoints } from './Sparkline.js';

const ys = (points: string) => points.split(' ').map((p) => Number(p.split(',')[1]));
const xs = (points: string) => points.split(' ').map((p) => Number(p.split(',')[0]));

describe('sparklinePoints', () => {
  it('puts the maximum at the top and zero at the bottom of the 22 px box', () => {
    expect(ys(sparklinePoints([0, 50, 100], null))).toEqual([20, 11, 2]);
  });

  it('scales against a limit when one is given, and clamps above it', () => {
    expect(ys(sparklinePoints([50, 200], 100))).toEqual([11, 2]);
  });

  it('ends at the right edge when there is less than a minute of samples, and skips nulls', () => {
    const points = sparklinePoints([1, null, 3], null);
    expect(points.split(' ')).toHaveLength(2);
    expect(xs(points).at(-1)).toBeCloseTo(84, 0);
  });
});
