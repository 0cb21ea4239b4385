import { describe, expect, it } from 'vitest';
import { NAMESPACE_RULES } from './namespaces.js';
import { judge, testRuleFamily } from './fixtures/rule-cases.js';
import type { ContainerIsolation, NamespaceKind } from '../model/schema.js';

const HOST_INODES: Record<NamespaceKind, number> = { pid: 4026531836, net: 4026531833, ipc: 4026531839, uts: 4026531838, mnt: 4026531832, user: 4026531837, cgroup: 4026531835, time: 4026531834 };
const hostNamespace = (kind: NamespaceKind, mode: string | null = 'host') => (c: ContainerIsolation) => {
  c.namespaces[kind] = { inode: HOST_INODES[kind], sharedWithHost: true, source: 'kernel', mode };
};

testRuleFamily('namespaces', NAMESPACE_RULES, {
  'namespaces/host-pid': { fires: hostNamespace('pid'), expectEvidence: { fact: 'namespaces.pid.sharedWithHost', value: true, source: 'kernel' } },
  'namespaces/host-net': { fires: hostNamespace('net'), expectEvidence: { fact: 'namespaces.net.mode', value: 'host', source: 'config' } },
  'namespaces/host-ipc': { fires: hostNamespace('ipc') },
  'namespaces/host-uts': { fires: hostNamespace('uts') },
  'namespaces/host-user': {
    fires: hostNamespace('user', 'host'),
    firesEngine: { userNamespaceRemap: true },
    // The baseline shares the host's user namespace only because the engine has no remap: not an opt-out.
    quiet: () => {},
  },
  'namespaces/host-cgroup': {
    fires: (c) => { c.cgroup.version = 2; },
    // cgroup v1: every container shares it, there is nothing to choose.
    quiet: (c) => { c.cgroup.version = 1; },
  },
  'namespaces/root-in-host-userns': {
    fires: () => {},
    expectEvidence: { fact: 'user.uid', value: 0, source: 'kernel' },
    quiet: (c) => { c.user.userns = 'private'; c.user.uid = 100000; c.user.uidInContainer = 0; },
  },
});

describe('namespace rules', () => {
  const hostNet = NAMESPACE_RULES.find((r) => r.id === 'namespaces/host-net')!;

  it('catch a container that joined another container\'s namespace which is the host\'s (docker-bench only sees "container:<id>")', () => {
    expect(judge(hostNet, hostNamespace('net', 'container:abc123'))).toContainEqual({ fact: 'namespaces.net.mode', value: 'container:abc123', source: 'config' });
  });

  it('do not fire when sharing is unknown', () => {
    for (const rule of NAMESPACE_RULES.filter((r) => r.id !== 'namespaces/root-in-host-userns')) {
      expect(judge(rule, (c) => { for (const kind of Object.keys(c.namespaces) as NamespaceKind[]) c.namespaces[kind].sharedWithHost = null; c.cgroup.version = 2; })).toBeNull();
    }
  });

  it('root-in-host-userns stays quiet for a non-root user', () => {
    const rule = NAMESPACE_RULES.find((r) => r.id === 'namespaces/root-in-host-userns')!;
    expect(judge(rule, (c) => { c.user.uid = 1000; })).toBeNull();
    expect(judge(rule, (c) => { c.user.uid = null; })).toBeNull();
  });
});
