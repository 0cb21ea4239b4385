import { describe, expect, it } from 'vitest';
import { RESOURCE_RULES, inDefaultCgroup } from './resources.js';
import { judge, testRuleFamily } from './fixtures/rule-cases.js';

const ID = '2f8dacfa723e9dd6c12b8a8002872551ba97268457c5190dd0926095d581d6b4';

testRuleFamily('resources', RESOURCE_RULES, {
  'resources/memory-unlimited': {
    fires: () => {},
    expectEvidence: { fact: 'cgroup.memoryLimitBytes', value: null, source: 'kernel' },
    quiet: (c) => { c.cgroup.memoryLimitBytes = 512 * 1024 * 1024; },
  },
  'resources/cpu-unlimited': { fires: () => {}, quiet: (c) => { c.cgroup.cpuShares = 512; } },
  'resources/cpu-weight-only': { fires: (c) => { c.cgroup.cpuShares = 512; }, quiet: (c) => { c.cgroup.cpuShares = 512; c.cgroup.cpuQuotaCores = 1.5; } },
  'resources/pids-unlimited': { fires: () => {}, quiet: (c) => { c.cgroup.pidsLimit = 100; } },
  'resources/custom-cgroup': {
    fires: (c) => { c.cgroup.path = `/my-parent/${ID}`; },
    expectEvidence: { fact: 'cgroup.path', value: `/my-parent/${ID}`, source: 'kernel' },
  },
});

describe('resource rules', () => {
  it('do not call a limit unlimited when the collector could not read it', () => {
    const memory = RESOURCE_RULES.find((r) => r.id === 'resources/memory-unlimited')!;
    expect(judge(memory, (c) => { c.gaps.push({ fact: 'cgroup.memoryLimitBytes', reason: 'memory controller not mounted' }); })).toBeNull();
  });

  it('a limit on an ancestor cgroup (a parent slice, --cgroup-parent) counts: it caps the whole subtree', () => {
    const rule = (id: string) => RESOURCE_RULES.find((r) => r.id === id)!;
    const parentLimits = (memory: number | null, pids: number | null) => (c: Parameters<Parameters<typeof judge>[1]>[0]) => {
      c.cgroup.effective = {
        memoryLimitBytes: { value: memory, setBy: memory === null ? null : '/isolens-parent' },
        cpuQuotaCores: { value: null, setBy: null },
        pidsLimit: { value: pids, setBy: pids === null ? null : '/isolens-parent' },
      };
    };
    expect(judge(rule('resources/memory-unlimited'), parentLimits(32 * 1024 * 1024, null))).toBeNull();
    expect(judge(rule('resources/pids-unlimited'), parentLimits(null, 20))).toBeNull();
    expect(judge(rule('resources/pids-unlimited'), parentLimits(32 * 1024 * 1024, null))).toEqual([{ fact: 'cgroup.pidsLimit', value: null, source: 'kernel' }]);
    // An ancestor that could not be read leaves the effective limit unknown: no finding either way.
    expect(judge(rule('resources/memory-unlimited'), (c) => {
      parentLimits(null, null)(c);
      c.gaps.push({ fact: 'cgroup.effective.memoryLimitBytes', reason: 'the limit of the ancestor cgroup /x could not be read: permission denied' });
    })).toBeNull();
  });

  it('know the default cgroup parents of Docker and Podman under both drivers', () => {
    expect(inDefaultCgroup(`/docker/${ID}`, ID)).toBe(true);
    expect(inDefaultCgroup(`/system.slice/docker-${ID}.scope`, ID)).toBe(true);
    expect(inDefaultCgroup(`/user.slice/user-1000.slice/user@1000.service/docker-${ID}.scope`, ID)).toBe(true);
    expect(inDefaultCgroup(`/machine.slice/libpod-${ID}.scope/container`, ID)).toBe(true);
    expect(inDefaultCgroup(`/libpod_parent/libpod-${ID}`, ID)).toBe(true);
    expect(inDefaultCgroup(`/custom.slice/docker-${ID}.scope`, ID)).toBe(false);
    expect(inDefaultCgroup('/system.slice/sshd.service', ID)).toBe(false);
  });

  it('custom-cgroup does not fire when the path is unknown', () => {
    const rule = RESOURCE_RULES.find((r) => r.id === 'resources/custom-cgroup')!;
    expect(judge(rule, (c) => { c.cgroup.path = null; })).toBeNull();
  });
});
