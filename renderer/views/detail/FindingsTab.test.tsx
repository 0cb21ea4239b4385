// A container whose checks could not be made must never read as "nothing needs a fix".
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { FindingsTab } from './FindingsTab.js';

const REASON = 'no kernel source: the engine refused the helper container (--pid=host is not allowed); kernel facts are not assessable from here';

function unassessed(): ContainerIsolation {
  const ns = { inode: null, sharedWithHost: false, source: 'config' as const, mode: '' };
  return {
    id: 'b'.repeat(64), name: 'web', image: 'busybox', imageId: null, command: ['sleep'], state: 'running', pid: 12,
    createdAt: null, startedAt: null, labels: {}, envNames: [], privileged: false, readOnlyRootfs: false,
    user: { uid: 0, gid: 0, uidInContainer: 0, userns: null, configured: '' },
    namespaces: { pid: ns, net: ns, ipc: ns, uts: ns, mnt: ns, user: ns, cgroup: ns, time: ns },
    capabilities: null, seccomp: { mode: null, profile: 'default', filters: null }, noNewPrivileges: false, lsm: { apparmor: null, selinux: null },
    cgroup: { version: null, path: null, memoryLimitBytes: null, cpuQuotaCores: null, cpusetCpus: null, pidsLimit: null, cpuShares: null, cpuWeight: null },
    mounts: [], ports: [], devices: [], deviceCgroupRules: [], network: { mode: 'bridge', networks: [] }, restartPolicy: { name: 'no', maximumRetryCount: 0 },
    healthcheck: null, sources: {}, mismatches: [], gaps: [{ fact: 'capabilities', reason: REASON }], findings: [],
    notAssessable: [
      { ruleId: 'capabilities/sys-admin', title: 'SYS_ADMIN capability', fact: 'capabilities', reason: REASON },
      { ruleId: 'resources/no-memory-limit', title: 'No memory limit', fact: 'cgroup', reason: REASON },
    ],
    score: null, grade: null,
  };
}

describe('FindingsTab', () => {
  it('lists the checks it could not make with the reason, and does not say nothing needs a fix', () => {
    const html = renderToString(<FindingsTab container={unassessed()} />);
    expect(html).toContain('2 checks not assessable from here');
    expect(html).toContain('--pid=host is not allowed');
    expect(html).toContain('SYS_ADMIN capability · No memory limit');
    expect(html).not.toContain('nothing in this container');
  });

  it('says nothing needs a fix only when every check was made', () => {
    const html = renderToString(<FindingsTab container={{ ...unassessed(), notAssessable: [] }} />);
    expect(html).toContain("nothing in this container&#x27;s isolation needs a fix");
  });
});
