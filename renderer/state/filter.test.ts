import { describe, expect, it } from 'vitest';
import type { ContainerIsolation, Finding } from '../../app/model/schema.js';
import { matchesScope, matchesSearch, searchIndex } from './filter.js';

function container(patch: Partial<ContainerIsolation> = {}): ContainerIsolation {
  const ns = (shared: boolean) => ({ inode: 1, sharedWithHost: shared, source: 'kernel' as const, mode: '' });
  const caps = ['CAP_CHOWN', 'CAP_SYS_ADMIN'];
  return {
    id: 'c0ffee'.padEnd(64, '0'), name: 'web', image: 'nginx:1.27', imageId: null, command: [], state: 'running', pid: 1, createdAt: null, startedAt: null,
    labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'frontend' }, envNames: [], privileged: false, readOnlyRootfs: true,
    user: { uid: 0, gid: 0, uidInContainer: 0, userns: 'host', configured: '' },
    namespaces: { pid: ns(true), net: ns(false), ipc: ns(false), uts: ns(false), mnt: ns(false), user: ns(true), cgroup: ns(true), time: ns(true) },
    capabilities: { effective: caps, permitted: caps, bounding: caps, inheritable: [], ambient: [], addedVsDefault: ['CAP_SYS_ADMIN'], droppedVsDefault: [] },
    seccomp: { mode: 'filter', profile: 'default', filters: 1 }, noNewPrivileges: true, lsm: { apparmor: null, selinux: null },
    cgroup: { version: 2, path: '/', memoryLimitBytes: 1, cpuQuotaCores: 1, cpusetCpus: null, pidsLimit: 10, cpuShares: null, cpuWeight: 100 },
    mounts: [
      { type: 'bind', source: '/run/docker.sock', destination: '/var/run/docker.sock', readOnly: false, propagation: null, sensitive: true, sensitiveReason: 'socket', origin: 'engine' },
      { type: 'proc', source: 'proc', destination: '/proc', readOnly: false, propagation: null, sensitive: false, sensitiveReason: null, origin: 'runtime' },
    ],
    ports: [], devices: [], deviceCgroupRules: [], network: { mode: 'bridge', networks: [] }, restartPolicy: { name: 'no', maximumRetryCount: 0 },
    healthcheck: null, sources: {}, mismatches: [], gaps: [],
    findings: [{ ruleId: 'capabilities/sys-admin', title: 'CAP_SYS_ADMIN in the container\'s capability set', severity: 'critical', family: 'capabilities', rationale: '', evidence: [], cis: null, attack: ['T1611'], remediation: { text: '', dockerRun: null, compose: null } } satisfies Finding],
    score: 30, grade: 'F',
    ...patch,
  };
}

describe('search', () => {
  const c = container();
  const index = searchIndex(c);
  const find = (query: string) => matchesSearch(c, index, query);

  it('finds a container by capability with or without CAP_, by rule id, ATT&CK id, mount path, project and service', () => {
    for (const query of ['SYS_ADMIN', 'cap_sys_admin', 'capabilities/sys-admin', 'sys-admin', 'T1611', '/var/run/docker.sock', '/run/docker.sock', 'shop', 'frontend', 'nginx', 'c0ffee', 'host-pid', 'root']) {
      expect(find(query), query).toBe(true);
    }
  });

  it('needs every word, does not index the runtime\'s own mounts, and reads a lone letter as the grade', () => {
    expect(find('shop SYS_ADMIN')).toBe(true);
    expect(find('shop NET_ADMIN')).toBe(false);
    expect(find('/proc')).toBe(false);
    expect(find('f')).toBe(true);
    expect(find('a')).toBe(false);
    expect(find('   ')).toBe(true);
  });
});

describe('scope filters', () => {
  it('narrows by rule (exact or family), host namespace and compose project ("-" for none)', () => {
    const c = container();
    expect(matchesScope(c, { rule: 'capabilities/sys-admin' })).toBe(true);
    expect(matchesScope(c, { rule: 'capabilities' })).toBe(true);
    expect(matchesScope(c, { rule: 'capabilities/sys' })).toBe(false);
    expect(matchesScope(c, { namespace: 'pid' })).toBe(true);
    expect(matchesScope(c, { namespace: 'net' })).toBe(false);
    expect(matchesScope(c, { project: 'shop' })).toBe(true);
    expect(matchesScope(c, { project: '-' })).toBe(false);
    expect(matchesScope(container({ labels: {} }), { project: '-' })).toBe(true);
  });
});

describe('the URL keeps the grouping beside the filters', () => {
  it('round-trips group=project, which is a layout and not a filter', async () => {
    const { parseFilter, filterQuery, isFiltered } = await import('./filter.js');
    const filter = parseFilter('project=shop&group=project');
    expect(filter).toEqual({ project: 'shop', group: 'project' });
    expect(parseFilter(filterQuery(filter))).toEqual(filter);
    expect(isFiltered({ group: 'project' })).toBe(false);
    expect(parseFilter('group=image')).toEqual({});
  });
});
