import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../app/model/schema.js';
import { droppedCapability, groupFindings } from './finding-groups.js';

const finding = (ruleId: string, severity: Severity, dockerRun: string | null): Finding => ({
  ruleId, title: ruleId, severity, family: ruleId.split('/')[0]!, rationale: '', evidence: [], cis: null, attack: [],
  remediation: { text: '', dockerRun, compose: null },
});

describe('groupFindings', () => {
  it('merges two or more capability findings into one item at the place of the worst, worst first inside', () => {
    const items = groupFindings([
      finding('capabilities/net-raw', 'low', '--cap-drop NET_RAW'),
      finding('namespaces/host-pid', 'high', '--pid private'),
      finding('capabilities/sys-admin', 'critical', '--cap-drop SYS_ADMIN'),
      finding('resources/no-memory-limit', 'medium', '--memory 512m'),
      finding('capabilities/net-admin', 'high', '--cap-drop NET_ADMIN'),
    ]);
    expect(items.map((i) => (i.kind === 'one' ? i.finding.ruleId : `group:${i.capabilities.join(',')}:${i.severity}`))).toEqual([
      'group:SYS_ADMIN,NET_ADMIN,NET_RAW:critical',
      'namespaces/host-pid',
      'resources/no-memory-limit',
    ]);
  });

  it('leaves a single capability finding as its own card, and other findings as they are', () => {
    const items = groupFindings([finding('capabilities/net-raw', 'low', '--cap-drop NET_RAW'), finding('user/root', 'medium', '--user 1000')]);
    expect(items.map((i) => i.kind)).toEqual(['one', 'one']);
  });

  it('takes only a fix that drops exactly one capability as a capability finding', () => {
    expect(droppedCapability(finding('a/b', 'low', '--cap-drop SYS_ADMIN'))).toBe('SYS_ADMIN');
    expect(droppedCapability(finding('a/b', 'low', '--cap-drop ALL --cap-add NET_BIND_SERVICE'))).toBeNull();
    expect(droppedCapability(finding('a/b', 'low', '--cap-drop ALL'))).toBeNull();
    expect(droppedCapability(finding('a/b', 'low', null))).toBeNull();
    expect(droppedCapability(finding('a/b', 'low', '--cap-drop SYS_ADMIN; rm -rf /'))).toBeNull();
  });
});
