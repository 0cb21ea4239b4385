import { describe, expect, it } from 'vitest';
import { LOCAL_HOST_SOURCE, processOf } from './source.js';
import { isIdentityMap, mapFromHost, mapToHost, parseIdMap, readIdMaps } from './userns.js';
import { fixtureText } from './fixtures/load.js';

describe('uid_map / gid_map', () => {
  it("the host's map is the identity over all 2^32-1 ids", () => {
    const map = parseIdMap(fixtureText('host', 'uid_map'));
    expect(map).toEqual([{ insideId: 0, outsideId: 0, count: 4294967295 }]);
    expect(isIdentityMap(map)).toBe(true);
  });

  it('a Docker container without userns-remap is in the host user namespace', () => {
    expect(isIdentityMap(parseIdMap(fixtureText('container-default', 'uid_map')))).toBe(true);
    expect(isIdentityMap(parseIdMap(fixtureText('container-default', 'gid_map')))).toBe(true);
  });

  it('a remapped namespace: root inside is 100000 on the host, and ids past the range are unmapped', () => {
    const map = parseIdMap(fixtureText('userns-remapped', 'uid_map'));
    expect(map).toEqual([{ insideId: 0, outsideId: 100000, count: 65536 }]);
    expect(isIdentityMap(map)).toBe(false);
    expect(mapToHost(0, map)).toBe(100000);
    expect(mapToHost(65535, map)).toBe(165535);
    expect(mapToHost(65536, map)).toBeNull();
    expect(mapFromHost(100000, map)).toBe(0);
    expect(mapFromHost(0, map)).toBeNull();
    expect(parseIdMap(fixtureText('userns-remapped', 'gid_map'))).toEqual(map);
  });

  it('reads the live maps of this process, and a vanished PID is a value', async () => {
    const maps = await readIdMaps(processOf(LOCAL_HOST_SOURCE, 'self'));
    expect(maps.uid.ok && maps.uid.value.length).toBeGreaterThan(0);
    expect((await readIdMaps(processOf(LOCAL_HOST_SOURCE, 4194305))).uid).toMatchObject({ ok: false, reason: 'vanished' });
  });
});
