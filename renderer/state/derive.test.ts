import { describe, expect, it } from 'vitest';
import type { ContainerIsolation } from '../../app/model/schema.js';
import { notesFor, riskFlags, severityCounts, severityWeight, sourceOf } from './derive.js';

const DOCKER_DEFAULT = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];

function container(patch: Partial<ContainerIsolation> = {}): ContainerIsolation {
  const ns = (shared: boolean) => ({ inode: 1, sharedWithHost: shared, source: 'kernel' as const, mode: '' });
  return {
    id: 'b'.repeat(64), name: 'x', image: 'i', imageId: null, command: [], state: 'running', pid: 1, createdAt: null, startedAt: null,
    labels: {}, envNames: [], privileged: false, readOnlyRootfs: true,
    user: { uid: 1000, gid: 1000, uidInContainer: 1000, userns: 'host', configured: '1000' },
    namespaces: { pid: ns(false), net: ns(false), ipc: ns(false), uts: ns(false), mnt: ns(false), user: ns(true), cgroup: ns(true), time: ns(true) },
    capabilities: { effective: DOCKER_DEFAULT, permitted: DOCKER_DEFAULT, bounding: DOCKER_DEFAULT, inheritable: [], ambient: [], addedVsDefault: [], droppedVsDefault: [] },
    seccomp: { mode: 'filter', profile: 'default', filters: 1 }, noNewPrivileges: true, lsm: { apparmor: null, selinux: null },
    cgroup: { version: 2, path: '/', memoryLimitBytes: 1, cpuQuotaCores: 1, cpusetCpus: null, pidsLimit: 10, cpuShares: null, cpuWeight: 100 },
    mounts: [], ports: [], devices: [], deviceCgroupRules: [], network: { mode: 'bridge', networks: [] }, restartPolicy: { name: 'no', maximumRetryCount: 0 },
    healthcheck: null, sources: {}, mismatches: [], gaps: [], findings: [], score: 100, grade: 'A',
    ...patch,
  };
}

const kinds = (c: ContainerIsolation) => riskFlags(c, 'docker').map((f) => f.kind);

describe('riskFlags', () => {
  it('raises none for a limited, non-root container with the default capabilities and the engine\'s shared user/cgroup/time namespaces', () => {
    expect(kinds(container())).toEqual([]);
  });

  it('flags host namespaces that are private by default, dangerous capabilities beyond the default, seccomp off, the socket and root', () => {
    const base = container();
    const risky = container({
      namespaces: { ...base.namespaces, pid: { ...base.namespaces.pid, sharedWithHost: true } },
      capabilities: { ...base.capabilities!, effective: [...DOCKER_DEFAULT, 'CAP_SYS_ADMIN', 'CAP_AUDIT_READ'], bounding: [...DOCKER_DEFAULT, 'CAP_SYS_ADMIN', 'CAP_AUDIT_READ'] },
      seccomp: { mode: 'disabled', profile: 'unconfined', filters: 0 },
      mounts: [{ type: 'bind', source: '/run/docker.sock', destination: '/var/run/docker.sock', readOnly: false, propagation: null, sensitive: true, sensitiveReason: 'socket', origin: 'engine' }],
      user: { ...base.user, uid: 0 },
      cgroup: { ...base.cgroup, pidsLimit: null },
    });
    const flags = riskFlags(risky, 'docker');
    // No findings here (rules not run): escape routes still come before hygiene.
    expect(flags.map((f) => f.kind)).toEqual(['engine-socket', 'host-namespaces', 'dangerous-capabilities', 'seccomp-off', 'root', 'no-limits']);
    // CAP_AUDIT_READ is not dangerous; CAP_DAC_OVERRIDE is, but it is in the default set.
    expect(flags.find((f) => f.kind === 'dangerous-capabilities')!.detail).toBe('1 dangerous capability in the bounding set beyond the engine default: SYS_ADMIN');
    expect(flags.find((f) => f.kind === 'dangerous-capabilities')!.label).toBe('SYS_ADMIN');
    expect(flags.find((f) => f.kind === 'host-namespaces')!.label).toBe('HOST pid');
    expect(flags.find((f) => f.kind === 'no-limits')!.detail).toContain('pids');
  });

  it('flags a writable host-root mount HOST MOUNT, as the CLI table does, and not a read-only or volume one', () => {
    const mount = (source: string, readOnly: boolean, type = 'bind') => ({ type, source, destination: `/host${source}`, readOnly, propagation: null, sensitive: true, sensitiveReason: 'host path', origin: 'engine' as const });
    const c = container({ mounts: [mount('/', false), mount('/etc', false), mount('/var/log', true)] });
    const flag = riskFlags(c, 'docker').find((f) => f.kind === 'host-mount');
    expect(flag).toMatchObject({ label: 'HOST MOUNT / +1', severity: 'critical' });
    expect(flag!.detail).toContain('/ at /host/, /etc at /host/etc');
    expect(kinds(container({ mounts: [mount('/', true), mount('/etc', false, 'volume')] }))).not.toContain('host-mount');
    // Flags are worst first: a host mount comes before hygiene.
    expect(kinds(container({ mounts: [mount('/', false)], user: { ...container().user, uid: 0 } }))).toEqual(['host-mount', 'root']);
  });

  it('a non-root container (empty effective set) with SYS_ADMIN in its bounding set is flagged, as the finding is', () => {
    const base = container();
    const c = container({ capabilities: { ...base.capabilities!, effective: [], permitted: [], bounding: [...DOCKER_DEFAULT, 'CAP_SYS_ADMIN'] } });
    expect(riskFlags(c, 'docker').find((f) => f.kind === 'dangerous-capabilities')?.label).toBe('SYS_ADMIN');
  });
});

describe('risk flags follow the findings behind them', () => {
  const finding = (ruleId: string, severity: 'critical' | 'high' | 'medium' | 'low') => ({
    ruleId, title: ruleId, severity, family: ruleId.split('/')[0]!, rationale: '', evidence: [], cis: null, attack: [], remediation: { text: '', dockerRun: null, compose: null },
  });

  it('orders flags by the severity of their worst finding, and names the worst capability first', () => {
    const base = container();
    const c = container({
      user: { ...base.user, uid: 0 },
      cgroup: { ...base.cgroup, memoryLimitBytes: null },
      capabilities: { ...base.capabilities!, effective: [...DOCKER_DEFAULT, 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'], bounding: [...DOCKER_DEFAULT, 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'] },
      findings: [finding('resources/memory-unlimited', 'medium'), finding('namespaces/root-in-host-userns', 'medium'), finding('capabilities/sys-admin', 'critical')],
    });
    const flags = riskFlags(c, 'docker');
    expect(flags.map((f) => [f.kind, f.severity])).toEqual([['dangerous-capabilities', 'critical'], ['root', 'medium'], ['no-limits', 'medium']]);
    expect(flags[0]!.label).toBe('SYS_ADMIN +2');
  });
});

describe('severity helpers', () => {
  it('one critical outweighs any number of highs', () => {
    const oneCritical = severityWeight({ critical: 1, high: 0, medium: 0, low: 0, info: 0 });
    const manyHigh = severityWeight({ critical: 0, high: 99, medium: 99, low: 99, info: 99 });
    expect(oneCritical).toBeGreaterThan(manyHigh);
    expect(severityCounts([])).toEqual({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
  });
});

describe('fact notes', () => {
  it('finds the gaps and mismatches under a fact, and its source by the nearest parent path', () => {
    const c = container({
      gaps: [{ fact: 'namespaces.cgroup', reason: 'EACCES' }, { fact: 'capabilities', reason: 'x' }],
      mismatches: [{ fact: 'cgroup.pidsLimit', kernel: null, config: 100 }],
      sources: { cgroup: 'kernel', 'cgroup.pidsLimit': 'config' },
    });
    expect(notesFor(c, 'namespaces.cgroup').gaps).toHaveLength(1);
    expect(notesFor(c, 'namespaces.pid').gaps).toHaveLength(0);
    expect(notesFor(c, 'cgroup').mismatches).toHaveLength(1);
    expect(sourceOf(c, 'cgroup.memoryLimitBytes')).toBe('kernel');
    expect(sourceOf(c, 'cgroup.pidsLimit')).toBe('config');
    expect(sourceOf(c, 'seccomp.mode')).toBeNull();
  });
});
