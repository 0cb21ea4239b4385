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
    for (const rule of CAPABILITY_RULES.filter((r) => r.id !== 'capabilities/beyond-default' && r.id !== 'capabilities/all')) {
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
