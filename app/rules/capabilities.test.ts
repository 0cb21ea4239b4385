import { describe, expect, it } from 'vitest';
import { allCapabilityNames, capabilityInfo } from '../model/capabilities.js';
import { CAPABILITY_RULES } from './capabilities.js';
import { judge, testRuleFamily, type Mutation, type RuleCase } from './fixtures/rule-cases.js';
import { baselineContainer, baselineEngine } from './fixtures/baseline.js';
import { evaluateContainer } from './catalogue.js';

/** Add a capability to the bounding (and effective, for root) set, as `--cap-add` does, keeping addedVsDefault honest. */
const addCapability = (name: string): Mutation => (c) => {
  c.capabilities!.bounding.push(name);
  c.capabilities!.effective.push(name);
  c.capabilities!.permitted.push(name);
  c.capabilities!.addedVsDefault.push(name);
};
const dropCapability = (name: string): Mutation => (c) => {
  for (const set of ['bounding', 'effective', 'permitted'] as const) c.capabilities![set] = c.capabilities![set].filter((n) => n !== name);
  c.capabilities!.droppedVsDefault.push(name);
};
const both = (...mutations: Mutation[]): Mutation => (c) => mutations.forEach((m) => m(c));

const added = (name: string): RuleCase => ({
  fires: addCapability(`CAP_${name}`),
  expectEvidence: { fact: 'capabilities.bounding', value: `CAP_${name}`, source: 'kernel' },
  // A near miss: a different, harmless capability added.
  quiet: addCapability('CAP_SYS_NICE'),
});

const hostDisk: Mutation = (c) => {
  c.devices.push({ pathOnHost: '/dev/vda', pathInContainer: '/dev/vda', permissions: 'rwm' });
};
const etcMounted: Mutation = (c) => {
  c.mounts.unshift({ type: 'bind', source: '/etc', destination: '/host-etc', readOnly: false, propagation: 'private', sensitive: true, sensitiveReason: 'host configuration (/etc)', origin: 'engine' });
};

const hostPid: Mutation = (c) => {
  c.namespaces.pid.sharedWithHost = true;
};
/** What the kernel shows for a rootless or remapped container: a uid_map that is not the identity. */
const ownUserNamespace: Mutation = (c) => {
  c.user.userns = 'private';
};
/** Runtime records as the collector builds them for the engine's runtime name (app/engine/runtime.ts). */
const sandboxed = (name: string, kind: 'gvisor' | 'kata', isolation: 'user-space-kernel' | 'virtual-machine'): Mutation => (c) => {
  c.runtime = { name, path: null, arguments: [], kind, isolation, detail: '', evidence: [{ fact: 'runtime.name', value: name, source: 'config' }], sandbox: null };
};
const gvisor = sandboxed('runsc', 'gvisor', 'user-space-kernel');
const kata = sandboxed('kata-runtime', 'kata', 'virtual-machine');
const addAll: Mutation = (c) => allCapabilityNames().filter((name) => name !== 'CAP_SYS_RESOURCE' && !c.capabilities!.bounding.includes(name)).forEach((name) => addCapability(name)(c));

testRuleFamily('capabilities', CAPABILITY_RULES, {
  'capabilities/all': {
    fires: addAll,
    expectEvidence: { fact: 'capabilities.bounding', value: '40 of the 41 capabilities the kernel knows', source: 'kernel' },
    quiet: both(addCapability('CAP_SYS_ADMIN'), addCapability('CAP_NET_ADMIN'), addCapability('CAP_SYS_PTRACE')),
  },
  'capabilities/sys-ptrace-host-pid': {
    fires: both(addCapability('CAP_SYS_PTRACE'), hostPid),
    expectEvidence: { fact: 'capabilities.bounding', value: 'CAP_SYS_PTRACE', source: 'kernel' },
    quiet: addCapability('CAP_SYS_PTRACE'),
  },
  'capabilities/beyond-default': {
    fires: addCapability('CAP_SYS_NICE'),
    expectEvidence: { fact: 'capabilities.addedVsDefault', value: ['CAP_SYS_NICE'], source: 'kernel' },
    quiet: dropCapability('CAP_NET_RAW'),
  },
  'capabilities/sys-admin': added('SYS_ADMIN'),
  'capabilities/sys-module': added('SYS_MODULE'),
  'capabilities/sys-rawio': added('SYS_RAWIO'),
  'capabilities/dac-read-search': added('DAC_READ_SEARCH'),
  'capabilities/sys-ptrace': { ...added('SYS_PTRACE'), quiet: both(addCapability('CAP_SYS_PTRACE'), hostPid) },
  'capabilities/bpf': added('BPF'),
  'capabilities/net-admin': added('NET_ADMIN'),
  'capabilities/sys-boot': added('SYS_BOOT'),
  'capabilities/mac-admin': added('MAC_ADMIN'),
  'capabilities/mac-override': added('MAC_OVERRIDE'),
  'capabilities/perfmon': added('PERFMON'),
  'capabilities/sys-time': added('SYS_TIME'),
  'capabilities/syslog': added('SYSLOG'),
  'capabilities/audit-control': added('AUDIT_CONTROL'),
  'capabilities/linux-immutable': added('LINUX_IMMUTABLE'),
  // Default-set capabilities: only in combination.
  'capabilities/mknod': { fires: hostDisk, quiet: both(hostDisk, dropCapability('CAP_MKNOD')) },
  'capabilities/dac-override': { fires: etcMounted, quiet: both(etcMounted, dropCapability('CAP_DAC_OVERRIDE')) },
  'capabilities/net-raw': { fires: () => {}, quiet: dropCapability('CAP_NET_RAW') },
  'capabilities/sys-admin-user-namespace': {
    fires: both(addCapability('CAP_SYS_ADMIN'), ownUserNamespace),
    expectEvidence: { fact: 'user.userns', value: 'private', source: 'kernel' },
    // CAP_SYS_ADMIN in the host's user namespace is capabilities/sys-admin (critical), not this.
    quiet: addCapability('CAP_SYS_ADMIN'),
  },
});

describe('capabilities judged relative to the user namespace and kernel that hold them', () => {
  const ids = (mutation: Mutation) => {
    const container = baselineContainer();
    mutation(container);
    return evaluateContainer(container, { engine: baselineEngine() }).map((f) => f.ruleId);
  };
  const hostOnly = ['SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'DAC_READ_SEARCH', 'BPF', 'SYS_BOOT', 'MAC_ADMIN', 'PERFMON', 'SYS_TIME', 'SYSLOG', 'AUDIT_CONTROL', 'LINUX_IMMUTABLE'];

  it('root with CAP_SYS_ADMIN in its own user namespace (rootless) is not host root: no critical, one medium finding', () => {
    const rootless = ids(both(addCapability('CAP_SYS_ADMIN'), ownUserNamespace));
    expect(rootless).not.toContain('capabilities/sys-admin');
    expect(rootless).toContain('capabilities/sys-admin-user-namespace');
    expect(ids(addCapability('CAP_SYS_ADMIN'))).toContain('capabilities/sys-admin');
  });

  it('capabilities the kernel checks against the host\'s user namespace give nothing held in another; namespaced ones still count', () => {
    const all = both(...hostOnly.map((name) => addCapability(`CAP_${name}`)), addCapability('CAP_NET_ADMIN'), ownUserNamespace);
    const fired = ids(all);
    for (const name of hostOnly) expect(fired).not.toContain(`capabilities/${name.toLowerCase().replace(/_/g, '-')}`);
    expect(fired).toContain('capabilities/net-admin');
    expect(fired).toContain('capabilities/net-raw');
  });

  it('CAP_SYS_PTRACE with the host\'s PID namespace from a rootless container does not reach host root\'s processes', () => {
    expect(ids(both(addCapability('CAP_SYS_PTRACE'), hostPid, ownUserNamespace))).not.toContain('capabilities/sys-ptrace-host-pid');
    expect(ids(both(addCapability('CAP_SYS_PTRACE'), hostPid))).toContain('capabilities/sys-ptrace-host-pid');
  });

  it('under gVisor or Kata capabilities act on the sandbox\'s kernel: neither the host rule nor the user-namespace rule fires', () => {
    for (const sandbox of [gvisor, kata]) {
      const fired = ids(both(addCapability('CAP_SYS_ADMIN'), addCapability('CAP_SYS_MODULE'), sandbox));
      expect(fired).not.toContain('capabilities/sys-admin');
      expect(fired).not.toContain('capabilities/sys-module');
      expect(fired).not.toContain('capabilities/sys-admin-user-namespace');
    }
    expect(ids(both(addAll, gvisor))).not.toContain('capabilities/all');
  });
});

describe('capability rules', () => {
  it('roll up under capabilities/all: --cap-add ALL is one finding, with what it implies as evidence', () => {
    const container = baselineContainer();
    addAll(container);
    const findings = evaluateContainer(container, { engine: baselineEngine() }).filter((f) => f.family === 'capabilities');
    expect(findings.map((f) => f.ruleId)).toEqual(['capabilities/all']);
    const implied = findings[0]!.evidence.filter((e) => e.fact.startsWith('implies[')).map((e) => e.fact);
    expect(implied).toEqual(expect.arrayContaining(['implies[capabilities/sys-admin]', 'implies[capabilities/sys-module]', 'implies[capabilities/beyond-default]', 'implies[capabilities/net-raw]']));
    // Accepting the umbrella accepts what it implies: no dozen findings appear instead.
    const accepted = evaluateContainer(container, { engine: baselineEngine() }, { ignore: ['capabilities/all'] }).filter((f) => f.family === 'capabilities');
    expect(accepted).toEqual([]);
  });

  it('take their attacker text from the one capability table', () => {
    // sys-admin-user-namespace is about where CAP_SYS_ADMIN is held, so the table's host-root attacker text is not its own.
    const own = new Set(['capabilities/beyond-default', 'capabilities/all', 'capabilities/sys-admin-user-namespace']);
    for (const rule of CAPABILITY_RULES.filter((r) => !own.has(r.id))) {
      const name = `CAP_${rule.id.split('/')[1]!.replace(/-host-pid$/, '').toUpperCase().replace(/-/g, '_')}`;
      expect(allCapabilityNames()).toContain(name);
      expect(rule.rationale).toContain(capabilityInfo(name)!.attacker!);
    }
  });

  it('stay silent when the capabilities could not be read', () => {
    for (const rule of CAPABILITY_RULES) expect(judge(rule, (c) => { c.capabilities = null; })).toBeNull();
  });

  it('judge the bounding set: a non-root process without the capability in effect still fires, with an empty effective evidence', () => {
    const rule = CAPABILITY_RULES.find((r) => r.id === 'capabilities/sys-admin')!;
    const evidence = judge(rule, (c) => {
      c.capabilities!.bounding.push('CAP_SYS_ADMIN');
      c.user.uid = 1000;
      c.capabilities!.effective = [];
    });
    expect(evidence).toContainEqual({ fact: 'capabilities.effective', value: [], source: 'kernel' });
  });

  it('beyond-default lists the effective capabilities beyond the engine default set', () => {
    const rule = CAPABILITY_RULES.find((r) => r.id === 'capabilities/beyond-default')!;
    const evidence = judge(rule, both(addCapability('CAP_SYS_ADMIN'), addCapability('CAP_BPF')));
    expect(evidence).toContainEqual({ fact: 'capabilities.effective', value: ['CAP_SYS_ADMIN', 'CAP_BPF'], source: 'kernel' });
  });
});

describe('capability finding titles', () => {
  it('say in plain words what holding it allows, then the kernel name and the set', () => {
    const dropOne = CAPABILITY_RULES.filter((rule) => /^--cap-drop [A-Z_]+$/.test(rule.remediation.dockerRun ?? ''));
    expect(dropOne.length).toBeGreaterThanOrEqual(18);
    for (const rule of dropOne) {
      const name = rule.remediation.dockerRun!.slice('--cap-drop '.length);
      // Every dangerous capability has its plain title in the data (assets/data/capabilities.json), none the fallback.
      expect(capabilityInfo(name)?.plain, name).toMatch(/^Can [a-z]/);
      // Their own titles: the combination (with the host's PID namespace, in a private user namespace) is the finding.
      if (rule.id === 'capabilities/sys-ptrace-host-pid' || rule.id === 'capabilities/sys-admin-user-namespace') continue;
      expect(rule.title).toBe(`${capabilityInfo(name)!.plain} (CAP_${name} in the bounding set)`);
    }
  });
});
