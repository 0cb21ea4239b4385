// A container whose checks could not be made must never read as "nothing needs a fix".
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ContainerIsolation, Finding } from '../../../app/model/schema.js';
import { FindingList, FindingsTab } from './FindingsTab.js';

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

  it('shows a container\'s capability findings as one card in plain words, worst first, with one fix for all', () => {
    const capability = (name: string, severity: Finding['severity'], title: string): Finding => ({
      ruleId: `capabilities/${name.toLowerCase().replace(/_/g, '-')}`, title, severity, family: 'capabilities', rationale: '', cis: null, attack: ['T1611'],
      evidence: [{ fact: 'capabilities.bounding', value: `CAP_${name}`, source: 'kernel' }, { fact: 'capabilities.effective', value: name === 'NET_RAW' ? [] : [`CAP_${name}`], source: 'kernel' }],
      remediation: { text: `Drop ${name}`, dockerRun: `--cap-drop ${name}`, compose: `cap_drop: [${name}]` },
    });
    const pid: Finding = { ...capability('X', 'high', 'Shares the host\'s PID namespace'), ruleId: 'namespaces/host-pid', family: 'namespaces', remediation: { text: '', dockerRun: null, compose: null } };
    const findings = [capability('NET_RAW', 'low', 'Can craft raw network packets (CAP_NET_RAW in the bounding set)'), pid, capability('SYS_ADMIN', 'critical', 'Can mount filesystems and do most of what root does (CAP_SYS_ADMIN in the bounding set)')];
    const html = renderToString(<FindingList findings={findings} container={{ ...unassessed(), notAssessable: [], findings }} />);
    expect(html.match(/data-testid="finding-group"/g)).toHaveLength(1);
    expect(html).toContain('2 capabilities an attacker can use');
    // Each capability is still a finding of its own rule inside the card, worst first, then the other finding's card.
    const rules = [...html.matchAll(/data-testid="finding" data-rule="([^"]+)"/g)].map((m) => m[1]);
    expect(rules).toEqual(['capabilities/sys-admin', 'capabilities/net-raw', 'namespaces/host-pid']);
    expect(html).toContain('Can mount filesystems and do most of what root does');
    expect(html).toContain('Attacker: Mounts the host');
    expect(html).toContain('does not hold it now');
    expect(html).toContain('--cap-drop SYS_ADMIN --cap-drop NET_RAW');
    expect(html).toContain('cap_drop: [SYS_ADMIN, NET_RAW]');
  });
});
