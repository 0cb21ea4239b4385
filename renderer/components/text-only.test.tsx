// Container text is attacker text: components must render it as escaped text, never as markup.
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ContainerIsolation, Finding } from '../../app/model/schema.js';
import { ContainerHeader } from '../views/ContainerDetail.js';
import { RiskFlags } from './badges.js';
import { FindingCard } from './FindingCard.js';
import { riskFlags } from '../state/derive.js';

const HOSTILE = '<img src=x onerror=alert(1)>';

function hostileContainer(): ContainerIsolation {
  const ns = { inode: 1, sharedWithHost: false, source: 'kernel' as const, mode: '' };
  return {
    id: 'a'.repeat(64), name: HOSTILE, image: '<script>alert(2)</script>', imageId: null, command: ['sh', '-c', HOSTILE], state: 'running', pid: 1,
    createdAt: null, startedAt: null, labels: { evil: HOSTILE }, envNames: [HOSTILE], privileged: false, readOnlyRootfs: false,
    user: { uid: 0, gid: 0, uidInContainer: 0, userns: 'host', configured: '' },
    namespaces: { pid: ns, net: ns, ipc: ns, uts: ns, mnt: ns, user: ns, cgroup: ns, time: ns },
    capabilities: null, seccomp: { mode: 'filter', profile: 'default', filters: 1 }, noNewPrivileges: false, lsm: { apparmor: null, selinux: null },
    cgroup: { version: 1, path: null, memoryLimitBytes: null, cpuQuotaCores: null, cpusetCpus: null, pidsLimit: null, cpuShares: 1024, cpuWeight: null },
    mounts: [{ type: 'bind', source: `/srv/${HOSTILE}/docker.sock`, destination: '/var/run/docker.sock', readOnly: false, propagation: null, sensitive: true, sensitiveReason: HOSTILE, origin: 'engine' }],
    ports: [], devices: [], deviceCgroupRules: [], network: { mode: 'bridge', networks: [] }, restartPolicy: { name: 'no', maximumRetryCount: 0 },
    healthcheck: null, sources: {}, mismatches: [], gaps: [{ fact: 'capabilities', reason: HOSTILE }], findings: [], score: 40, grade: 'D',
  };
}

function expectEscaped(html: string): void {
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(html).not.toMatch(/<img/i);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toContain('onerror=alert(1)>');
}

describe('attacker-controlled text is rendered as text', () => {
  it('the drill-down header shows a hostile name literally', () => {
    const html = renderToString(<ContainerHeader container={hostileContainer()} engineKind="docker" />);
    expectEscaped(html);
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('risk flag tooltips carry a hostile mount path as an escaped attribute', () => {
    const html = renderToString(<RiskFlags flags={riskFlags(hostileContainer(), 'docker')} />);
    expect(html).toContain('engine-socket');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<img/i);
  });

  it('a finding whose evidence value and remediation hold markup shows them as text', () => {
    const finding: Finding = {
      ruleId: 'mounts.engine-socket', title: HOSTILE, severity: 'critical', family: 'mounts', rationale: HOSTILE,
      evidence: [{ fact: 'mounts[/x].source', value: HOSTILE, source: 'kernel' }], cis: '5.32', attack: ['T1611'],
      remediation: { text: HOSTILE, dockerRun: `-v ${HOSTILE}`, compose: HOSTILE },
    };
    const html = renderToString(<FindingCard finding={finding} container={hostileContainer()} />);
    expectEscaped(html);
  });
});
