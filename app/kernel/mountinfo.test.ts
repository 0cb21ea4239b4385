import { describe, expect, it } from 'vitest';
import { LOCAL_HOST_SOURCE, processOf } from './source.js';
import { parseMountinfo, parseMountinfoLine, propagationOf, readMountinfo, unescapeMountField, visibleMountAt } from './mountinfo.js';
import { fixtureText } from './fixtures/load.js';

const mounts = (scenario: string) => parseMountinfo(fixtureText(scenario, 'mountinfo'));
const at = (scenario: string, mountPoint: string) => {
  const entry = visibleMountAt(mounts(scenario), mountPoint);
  if (!entry) throw new Error(`no mount at ${mountPoint} in ${scenario}`);
  return entry;
};

describe('parseMountinfo on captured container mountinfo', () => {
  it('every line of a default container becomes one entry, fields per proc(5)', () => {
    const text = fixtureText('container-default', 'mountinfo');
    const entries = parseMountinfo(text);
    expect(entries).toHaveLength(text.trim().split('\n').length);
    const root = at('container-default', '/');
    expect(root).toMatchObject({ mountId: 73, parentId: 49, majorMinor: '0:39', root: '/', fsType: 'overlay', mountSource: 'overlay', readOnly: false });
    expect(root.mountOptions).toEqual(['rw', 'relatime']);
    expect(root.optionalFields).toEqual(['master:2']);
    expect(root.propagation).toBe('slave');
    expect(root.superOptions[0]).toBe('rw');
    expect(root.superOptions.some((o) => o.startsWith('upperdir=/var/lib/docker/overlay2/'))).toBe(true);
  });

  it('the runtime mounts: /sys read-only, /proc read-write, masked /proc paths read-only', () => {
    expect(at('container-default', '/sys')).toMatchObject({ fsType: 'sysfs', readOnly: true, propagation: 'private' });
    expect(at('container-default', '/proc')).toMatchObject({ fsType: 'proc', readOnly: false });
    expect(at('container-default', '/proc/sys')).toMatchObject({ root: '/sys', readOnly: true });
    expect(at('container-default', '/sys/fs/cgroup/memory')).toMatchObject({ fsType: 'cgroup', readOnly: true, root: '/docker/8558b98f8704decd5a68ae5e63733794d450d97bbd0fac32c4d4535e21bc2026' });
  });

  it('-v /etc:/host-etc:ro is read-only with the host path as root; "/tmp/dir with space" is unescaped from \\040', () => {
    expect(at('container-volumes-ro-etc-and-space', '/host-etc')).toMatchObject({ root: '/etc', readOnly: true, fsType: 'ext4', mountSource: '/dev/vda' });
    expect(at('container-volumes-ro-etc-and-space', '/data')).toMatchObject({ root: '/tmp/dir with space', readOnly: false });
  });

  it('--mount bind-propagation=shared shows as shared', () => {
    expect(at('container-bind-propagation-shared', '/x')).toMatchObject({ root: '/tmp/x', propagation: 'shared', optionalFields: ['shared:2'] });
  });
});

describe('host mounts with the rare cases', () => {
  const directory = fixtureText('host-mount-edge-cases', 'DIRECTORY').trim();
  const entries = parseMountinfo(fixtureText('host-mount-edge-cases', 'mountinfo'));

  it('unescapes \\011 (tab), \\012 (newline), \\134 (backslash) and \\040 (space)', () => {
    const odd = `${directory}/tab\tnewline\nback\\slash end`;
    expect(entries[0]!.mountPoint).toBe(odd);
    expect(entries[0]!.root).toBe(odd);
  });

  it('unbindable, shared and shared+slave propagation', () => {
    expect(visibleMountAt(entries, `${directory}/unbindable`)?.propagation).toBe('unbindable');
    expect(visibleMountAt(entries, `${directory}/master`)?.propagation).toBe('shared');
    expect(visibleMountAt(entries, `${directory}/shared-slave`)).toMatchObject({ propagation: 'shared+slave', optionalFields: ['shared:3', 'master:2'] });
  });

  it('parses the whole host mountinfo', () => {
    const text = fixtureText('host', 'mountinfo');
    expect(parseMountinfo(text)).toHaveLength(text.trim().split('\n').length);
  });
});

describe('pieces', () => {
  it('propagation from optional fields', () => {
    expect(propagationOf([])).toBe('private');
    expect(propagationOf(['propagate_from:1'])).toBe('private');
    expect(propagationOf(['master:7'])).toBe('slave');
  });

  it('an escaped backslash is not unescaped twice', () => {
    expect(unescapeMountField('a\\134040b')).toBe('a\\040b');
  });

  it('a line without the " - " separator is not a mount', () => {
    expect(parseMountinfoLine('73 49 0:39 / / rw,relatime master:2 overlay overlay rw')).toBeNull();
  });

  it('readMountinfo reads this process from the live /proc, and a vanished PID is a value', async () => {
    const result = await readMountinfo(processOf(LOCAL_HOST_SOURCE, 'self'));
    expect(result.ok && visibleMountAt(result.value, '/proc')?.fsType).toBe('proc');
    expect(await readMountinfo(processOf(LOCAL_HOST_SOURCE, 4194305))).toMatchObject({ ok: false, reason: 'vanished' });
  });
});
