import { describe, expect, it } from 'vitest';
import type { ContainerIsolation, Mount } from '../model/schema.js';
import { hostPathSensitivity } from '../model/sensitive.js';
import { MOUNT_RULES } from './mounts.js';
import { judge, testRuleFamily } from './fixtures/rule-cases.js';

/** A declared bind mount, marked sensitive the way the collector marks it. */
const bind = (source: string, destination: string, readOnly: boolean | null, extra: Partial<Mount> = {}) => (c: ContainerIsolation) => {
  const sensitivity = hostPathSensitivity(source);
  c.mounts.unshift({ type: 'bind', source, destination, readOnly, propagation: 'private', sensitive: sensitivity.sensitive, sensitiveReason: sensitivity.reason, origin: 'engine', ...extra });
};
const runtimeMount = (destination: string, changes: Partial<Mount>) => (c: ContainerIsolation) => {
  const mount = c.mounts.find((m) => m.destination === destination)!;
  Object.assign(mount, changes);
};

testRuleFamily('mounts', MOUNT_RULES, {
  'mounts/engine-socket': {
    fires: bind('/var/run/docker.sock', '/var/run/docker.sock', false),
    expectEvidence: { fact: 'mounts[/var/run/docker.sock].engine', value: 'Docker' },
    quiet: bind('/srv/app/data.sock', '/run/app.sock', false),
  },
  'mounts/sensitive-read-write': {
    fires: bind('/etc', '/host-etc', false),
    expectEvidence: { fact: 'mounts[/host-etc].readOnly', value: false, source: 'kernel' },
    quiet: bind('/etc', '/host-etc', true),
  },
  'mounts/sensitive-read-only': {
    fires: bind('/etc/ssh', '/ssh', true),
    quiet: bind('/srv/www', '/usr/share/nginx/html', true),
  },
  'mounts/writable-kernel-filesystem': {
    fires: runtimeMount('/sys', { readOnly: false }),
    expectEvidence: { fact: 'mounts[/sys].readOnly', value: false },
    // The baseline's writable /sys/fs/cgroup is the tmpfs that holds read-only cgroup mounts on cgroup v1.
    quiet: () => {},
  },
  'mounts/shared-propagation': {
    fires: bind('/srv/data', '/data', false, { propagation: 'shared' }),
    quiet: bind('/srv/data', '/data', false, { propagation: 'slave' }),
  },
  'mounts/writable-root-filesystem': {
    fires: () => {},
    expectEvidence: { fact: 'readOnlyRootfs', value: false, source: 'kernel' },
    quiet: (c) => { c.readOnlyRootfs = true; },
  },
});

describe('mount rules', () => {
  const rule = (id: string) => MOUNT_RULES.find((r) => r.id === id)!;

  it('recognise every engine\'s socket, and the /run directory that holds them', () => {
    for (const source of ['/run/containerd/containerd.sock', '/run/podman/podman.sock', '/var/run/crio/crio.sock', '/run/user/1000/docker.sock', '/var/run']) {
      expect(judge(rule('mounts/engine-socket'), bind(source, '/sock', true)), source).not.toBeNull();
    }
  });

  it('count a socket mount once: as a socket, not also as a sensitive path', () => {
    const mutate = bind('/var/run', '/var/run', false);
    expect(judge(rule('mounts/engine-socket'), mutate)).not.toBeNull();
    expect(judge(rule('mounts/sensitive-read-write'), mutate)).toBeNull();
  });

  it('catch a proxy socket mounted where the Docker socket is expected', () => {
    expect(judge(rule('mounts/engine-socket'), bind('/srv/proxy/api.sock', '/var/run/docker.sock', false))).not.toBeNull();
  });

  it('report a sensitive mount whose read-only flag is unknown as exposed, not as writable', () => {
    expect(judge(rule('mounts/sensitive-read-write'), bind('/root', '/r', null))).toBeNull();
    expect(judge(rule('mounts/sensitive-read-only'), bind('/root', '/r', null))).not.toBeNull();
  });

  it('see writable /proc/sys and a writable cgroupfs but not the engine\'s own hosts files', () => {
    const procSys = (c: ContainerIsolation) => c.mounts.push({ type: 'proc', source: 'proc', destination: '/proc/sys', readOnly: false, propagation: 'private', sensitive: false, sensitiveReason: null, origin: 'runtime' });
    expect(judge(rule('mounts/writable-kernel-filesystem'), procSys)).not.toBeNull();
    expect(judge(rule('mounts/writable-kernel-filesystem'), runtimeMount('/sys/fs/cgroup', { type: 'cgroup2' }))).not.toBeNull();
    expect(judge(rule('mounts/sensitive-read-write'), () => {})).toBeNull();
  });

  it('shared+slave propagation still propagates out', () => {
    expect(judge(rule('mounts/shared-propagation'), runtimeMount('/', { propagation: 'shared+slave' }))).not.toBeNull();
  });
});
