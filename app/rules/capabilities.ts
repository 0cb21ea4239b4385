// Capability rules: each dangerous capability on its own, and capabilities beyond the engine's default set (CIS 5.4).
import { capabilityInfo, defaultCapabilities } from '../model/capabilities.js';
import type { ContainerIsolation, Severity } from '../model/schema.js';
import { evidenceOf, fired, type ContainerRule } from './rule.js';

interface DangerousCapability {
  /** Kernel name without the CAP_ prefix, as docker run and compose spell it. */
  name: string;
  severity: Severity;
  attack: readonly string[];
  /** Extra condition for capabilities in the engine's default set, which are only worth a finding in combination. */
  when?: (container: ContainerIsolation) => boolean;
  /** Why the extra condition, when there is one. */
  condition?: string;
}

const hasDeviceAccess = (c: ContainerIsolation) => c.privileged || c.devices.length > 0 || c.deviceCgroupRules.length > 0;
const hasSensitiveMount = (c: ContainerIsolation) => c.mounts.some((m) => m.sensitive && m.origin === 'engine');

/** Severity reflects what the capability gives an attacker who already runs code in the container. */
const DANGEROUS: readonly DangerousCapability[] = [
  { name: 'SYS_ADMIN', severity: 'critical', attack: ['T1611', 'T1068'] },
  { name: 'SYS_MODULE', severity: 'critical', attack: ['T1611', 'T1547.006', 'T1014'] },
  { name: 'SYS_RAWIO', severity: 'critical', attack: ['T1611', 'T1068'] },
  { name: 'DAC_READ_SEARCH', severity: 'high', attack: ['T1611', 'T1552'] },
  { name: 'SYS_PTRACE', severity: 'high', attack: ['T1611', 'T1055', 'T1552'] },
  { name: 'BPF', severity: 'high', attack: ['T1611', 'T1068', 'T1014'] },
  { name: 'NET_ADMIN', severity: 'high', attack: ['T1557', 'T1562.004'] },
  { name: 'SYS_BOOT', severity: 'high', attack: ['T1529', 'T1499'] },
  { name: 'MAC_ADMIN', severity: 'high', attack: ['T1562.001'] },
  { name: 'MAC_OVERRIDE', severity: 'high', attack: ['T1562.001'] },
  { name: 'PERFMON', severity: 'medium', attack: ['T1068', 'T1613'] },
  { name: 'SYS_TIME', severity: 'medium', attack: ['T1070.006', 'T1499'] },
  { name: 'SYSLOG', severity: 'medium', attack: ['T1068', 'T1082'] },
  { name: 'AUDIT_CONTROL', severity: 'medium', attack: ['T1562.012'] },
  { name: 'LINUX_IMMUTABLE', severity: 'low', attack: ['T1222'] },
  {
    name: 'MKNOD',
    severity: 'medium',
    attack: ['T1611', 'T1006'],
    when: hasDeviceAccess,
    condition: 'It is in Docker\'s default set and harmless alone (the device cgroup refuses new nodes); this rule fires only when the container also has host devices, device cgroup rules or --privileged.',
  },
  {
    name: 'DAC_OVERRIDE',
    severity: 'low',
    attack: ['T1611', 'T1552'],
    when: hasSensitiveMount,
    condition: 'It is in Docker\'s default set; this rule fires only when a sensitive host path is also mounted, where it lets root ignore file modes.',
  },
  {
    name: 'NET_RAW',
    severity: 'low',
    attack: ['T1557', 'T1040'],
    condition: 'It is in Docker\'s default set, so this fires on most containers; drop it unless the container pings or sniffs.',
  },
];

function kebab(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

function dangerousCapabilityRule(spec: DangerousCapability): ContainerRule {
  const kernelName = `CAP_${spec.name}`;
  const info = capabilityInfo(kernelName);
  const attacker = info?.attacker ?? info?.allows ?? '';
  return {
    id: `capabilities/${kebab(spec.name)}`,
    title: `${kernelName} in the container's capability set`,
    severity: spec.severity,
    family: 'capabilities',
    rationale: [`${kernelName} lets a process ${lowerFirst(info?.allows ?? 'use a privileged kernel operation.')}`, attacker, spec.condition ?? '']
      .filter((sentence) => sentence !== '')
      .join(' '),
    cis: null,
    attack: spec.attack,
    remediation: {
      text: `Drop ${spec.name}; if the workload needs it, run a dedicated, minimal container for that task only.`,
      dockerRun: `--cap-drop ${spec.name}`,
      compose: `cap_drop: [${spec.name}]`,
    },
    dockerBench: null,
    check(c) {
      if (c.capabilities === null) return null;
      // The bounding set is the ceiling every process in the container can reach (file capabilities, setuid root).
      if (!c.capabilities.bounding.includes(kernelName)) return null;
      if (spec.when && !spec.when(c)) return null;
      return [
        evidenceOf(c, 'capabilities.bounding', kernelName),
        // Whether the main process holds it right now: [] means only a child (setuid, file capabilities) could.
        evidenceOf(c, 'capabilities.effective', c.capabilities.effective.filter((name) => name === kernelName)),
      ];
    },
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export const beyondDefault: ContainerRule = {
  id: 'capabilities/beyond-default',
  title: 'Capabilities added beyond the engine\'s default set',
  severity: 'medium',
  family: 'capabilities',
  rationale:
    'The container can hold capabilities that the engine does not grant by default, so it was explicitly given more kernel privilege than an ordinary container. Each extra capability widens what a compromised process can do to the host; the dangerous ones are reported on their own as well.',
  cis: '5.4',
  attack: ['T1611', 'T1068'],
  remediation: {
    text: 'Start from no capabilities and add back only the ones the workload needs.',
    dockerRun: '--cap-drop ALL --cap-add NET_BIND_SERVICE',
    compose: 'cap_drop: [ALL]\ncap_add: [NET_BIND_SERVICE]',
  },
  dockerBench:
    'docker-bench reads HostConfig.CapAdd; Isolens reads the bounding set the kernel applied, so it also sees capabilities gained through --privileged, an explicit Capabilities list or a runtime that ignores the request, and does not warn on a CapAdd the kernel never granted.',
  check(c, context) {
    if (c.capabilities === null || c.capabilities.addedVsDefault.length === 0) return null;
    const defaults = defaultCapabilities(context.engine.kind);
    const effectiveBeyond = c.capabilities.effective.filter((name) => !defaults.includes(name));
    return fired([
      evidenceOf(c, 'capabilities.addedVsDefault', c.capabilities.addedVsDefault),
      evidenceOf(c, 'capabilities.effective', effectiveBeyond),
    ]);
  },
};

export const CAPABILITY_RULES: readonly ContainerRule[] = [beyondDefault, ...DANGEROUS.map(dangerousCapabilityRule)];
