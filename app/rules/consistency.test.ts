import { describe, expect, it } from 'vitest';
import type { ContainerIsolation, Mismatch } from '../model/schema.js';
import { CONSISTENCY_RULES } from './consistency.js';
import { judge, testRuleFamily, type RuleCase } from './fixtures/rule-cases.js';

/** Mismatches as the collector records them (app/collect/kernel.ts). */
const mismatch = (...list: Mismatch[]) => (c: ContainerIsolation) => { c.mismatches.push(...list); };
const unrelated = mismatch({ fact: 'cgroup.pidsLimit', kernel: null, config: 100 });
const kind = (fact: string, kernel: unknown, config: unknown): RuleCase => ({
  fires: mismatch({ fact, kernel, config }),
  expectEvidence: { fact, value: kernel, source: 'kernel' },
  quiet: fact.startsWith('cgroup.') ? mismatch({ fact: 'seccomp.mode', kernel: 'disabled', config: 'filter' }) : unrelated,
});

testRuleFamily('consistency', CONSISTENCY_RULES, {
  'consistency/namespaces': kind('namespaces.net.sharedWithHost', true, false),
  'consistency/capabilities': kind('capabilities.bounding', ['CAP_CHOWN', 'CAP_SYS_ADMIN'], ['CAP_CHOWN']),
  'consistency/seccomp': kind('seccomp.mode', 'disabled', 'filter'),
  'consistency/no-new-privileges': kind('noNewPrivileges', false, true),
  'consistency/user-namespace': kind('user.userns', 'host', 'private'),
  'consistency/user': kind('user.uidInContainer', 65534, 0),
  'consistency/mount-read-only': kind('mounts[/data].readOnly', false, true),
  'consistency/read-only-rootfs': kind('readOnlyRootfs', false, true),
  'consistency/lsm': kind('lsm.apparmor', 'unconfined', 'docker-default'),
  'consistency/cgroup-limits': kind('cgroup.memoryLimitBytes', null, 536870912),
  'consistency/other': { fires: mismatch({ fact: 'privileged', kernel: true, config: false }), quiet: unrelated },
  'consistency/unverified-facts': {
    fires: (c) => { c.gaps.push({ fact: 'namespaces.pid', reason: 'permission denied reading /proc/27476/ns/pid: run as root' }); },
    expectEvidence: { fact: 'namespaces.pid', value: 'permission denied reading /proc/27476/ns/pid: run as root' },
  },
});

describe('consistency rules', () => {
  it('cite both values of every mismatch of their kind, the kernel\'s and the configuration\'s', () => {
    const rule = CONSISTENCY_RULES.find((r) => r.id === 'consistency/mount-read-only')!;
    const evidence = judge(rule, mismatch(
      { fact: 'mounts[/data].readOnly', kernel: false, config: true },
      { fact: 'mounts[/logs].readOnly', kernel: false, config: true },
      { fact: 'seccomp.mode', kernel: 'disabled', config: 'filter' },
    ));
    expect(evidence).toEqual([
      { fact: 'mounts[/data].readOnly', value: false, source: 'kernel' },
      { fact: 'mounts[/data].readOnly', value: true, source: 'config' },
      { fact: 'mounts[/logs].readOnly', value: false, source: 'kernel' },
      { fact: 'mounts[/logs].readOnly', value: true, source: 'config' },
    ]);
  });

  it('every mismatch lands in exactly one rule', () => {
    const facts = [
      'namespaces.pid.sharedWithHost', 'namespaces.user.sharedWithHost', 'capabilities.bounding', 'capabilities.effective', 'capabilities.permitted',
      'seccomp.mode', 'noNewPrivileges', 'user.userns', 'user.uidInContainer', 'user.gidInContainer', 'mounts[/x].readOnly', 'readOnlyRootfs',
      'lsm.apparmor', 'cgroup.cpuQuotaCores', 'cgroup.pidsLimit', 'cgroup.cpuShares', 'something.new',
    ];
    for (const fact of facts) {
      const firing = CONSISTENCY_RULES.filter((rule) => judge(rule, mismatch({ fact, kernel: 1, config: 2 })) !== null);
      expect(firing.map((r) => r.id), fact).toHaveLength(1);
    }
  });
});
