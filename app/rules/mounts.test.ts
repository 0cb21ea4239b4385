import { describe, expect, it } from 'vitest';
import type { ContainerIsolation, Mount } from '../model/schema.js';
import { hostPathSensitivity } from '../model/sensitive.js';
import { MOUNT_RULES } from './mounts.js';
import { judge, testRuleFamily } from './fixtures/rule-cases.js';
import { baselineContainer, baselineEngine } from './fixtures/baseline.js';
import { evaluateContainer } from './catalogue.js';

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
  'mounts/host-root-read-write': {
    fires: bind('/etc', '/host-etc', false),
    expectEvidence: { fact: 'mounts[/host-etc].readOnly', value: false, source: 'kernel' },
    // Writable but not host root one step away: that is mounts/sensitive-read-write.
    quiet: bind('/usr/share', '/share', false),
  },
  'mounts/sensitive-read-write': {
    fires: bind('/usr/share', '/share', false),
    expectEvidence: { fact: 'mounts[/share].readOnly', value: false, source: 'kernel' },
    quiet: bind('/usr/share', '/share', true),
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
  const findingsOf = (mutate: (c: ContainerIsolation) => void) => {
    const container = baselineContainer();
    mutate(container);
    return evaluateContainer(container, { engine: baselineEngine() }).filter((f) => f.family === 'mounts');
  };

  it.each(['/', '/etc', '/root', '/boot', '/var/lib/docker', '/proc', '/sys', '/dev', '/usr', '/usr/bin', '/lib', '/etc/cron.d', '/var'])(
    'a writable host %s is host root one step away: critical',
    (source) => {
      const ids = findingsOf(bind(source, '/host', false)).map((f) => `${f.ruleId} ${f.severity}`);
      expect(ids).toContain('mounts/host-root-read-write critical');
      expect(ids).not.toContain('mounts/sensitive-read-write high');
    },
  );

  it('name each mount and its exact fix, with the destination the container uses: remove it, or add :ro', () => {
    const findings = findingsOf((c) => {
      bind('/', '/host', false)(c);
      bind('/home', '/homes', false)(c);
      bind('/etc/ssl', '/certs', true)(c);
      bind('/var/run/docker.sock', '/run/engine.sock', false)(c);
    });
    const byTitle = Object.fromEntries(findings.map((f) => [f.title, f.remediation.dockerRun]));
    expect(byTitle).toMatchObject({
      'Host path that gives root on the host mounted read-write: / → /host': 'remove -v /:/host',
      'Sensitive host path mounted read-write: /home → /homes': '-v /home:/homes:ro',
      'Sensitive host path mounted (not writable): /etc/ssl → /certs': 'remove -v /etc/ssl:/certs:ro',
      'A container engine\'s API socket is mounted: /var/run/docker.sock → /run/engine.sock': 'remove -v /var/run/docker.sock:/run/engine.sock',
    });
    // One finding per mount, so two writable host-root mounts are two findings.
    expect(findingsOf((c) => { bind('/', '/host', false)(c); bind('/etc', '/e', false)(c); }).filter((f) => f.ruleId === 'mounts/host-root-read-write')).toHaveLength(2);
  });

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
