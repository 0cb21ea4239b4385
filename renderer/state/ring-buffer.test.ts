import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps items oldest first until full', () => {
    const ring = new RingBuffer<number>(3);
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    expect(ring.last()).toBe(2);
  });

  it('never grows past its capacity and drops the oldest', () => {
    const ring = new RingBuffer<number>(300);
    for (let i = 0; i < 1000; i++) ring.push(i);
    expect(ring.size).toBe(300);
    const items = ring.toArray();
    expect(items).toHaveLength(300);
    expect(items[0]).toBe(700);
    expect(items[299]).toBe(999);
    expect(ring.last()).toBe(999);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });

  it('clear empties it', () => {
    const ring = new RingBuffer<string>(2);
    ring.push('a');
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.last()).toBeUndefined();
  });
});
