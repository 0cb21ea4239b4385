import { describe, expect, it } from 'vitest';
import { LOCAL_HOST_SOURCE, processOf } from './source.js';
import { parseNetDev, readNetDev, sumExceptLoopback } from './netdev.js';
import { fixtureText } from './fixtures/load.js';

describe('parseNetDev', () => {
  it("a container's namespace: lo and eth0 with their captured counters", () => {
    const interfaces = parseNetDev(fixtureText('container-usage-oom-throttled-io', 'net', 'dev'));
    expect(interfaces.map((i) => i.name)).toEqual(['lo', 'eth0']);
    expect(interfaces[1]).toEqual({
      name: 'eth0',
      receiveBytes: 806,
      receivePackets: 9,
      receiveErrors: 0,
      receiveDrops: 0,
      transmitBytes: 0,
      transmitPackets: 0,
      transmitErrors: 0,
      transmitDrops: 0,
    });
  });

  it('the host: a 7-character name with no padding before the colon, and transmit columns after the 8 receive ones', () => {
    const interfaces = parseNetDev(fixtureText('host', 'net', 'dev'));
    expect(interfaces.map((i) => i.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0', 'docker0']);
    const docker0 = interfaces.find((i) => i.name === 'docker0')!;
    expect(docker0).toMatchObject({ receiveBytes: 0, transmitBytes: 2946, transmitPackets: 27, transmitDrops: 5 });
  });

  it('sums every interface except loopback', () => {
    expect(sumExceptLoopback(parseNetDev(fixtureText('host', 'net', 'dev')))).toEqual({
      receiveBytes: 620985049,
      receivePackets: 19068,
      transmitBytes: 1447640 + 2946,
      transmitPackets: 13193 + 27,
    });
    expect(sumExceptLoopback(parseNetDev(fixtureText('container-default', 'net', 'dev')))).toEqual({ receiveBytes: 200, receivePackets: 2, transmitBytes: 0, transmitPackets: 0 });
  });

  it('reads the live namespace of this process; a vanished PID is a value', async () => {
    const result = await readNetDev(processOf(LOCAL_HOST_SOURCE, 'self'));
    expect(result.ok && result.value.some((i) => i.name === 'lo')).toBe(true);
    expect(await readNetDev(processOf(LOCAL_HOST_SOURCE, 4194305))).toMatchObject({ ok: false, reason: 'vanished' });
  });
});
