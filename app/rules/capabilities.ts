// Capability rules: every capability at once (--cap-add ALL, one finding), each dangerous one on its own, and capabilities beyond the engine's default set (CIS 5.4).
import { allCapabilityNames, capabilityInfo, defaultCapabilities } from '../model/capabilities.js';
import type { ContainerIsolation, Severity } from '../model/schema.js';
import { capabilityScope } from '../model/runtime.js';
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
  title?: string;
  /**
   * The kernel checks it against the user namespace that owns the target (ns_capable): a network namespace's own
   * devices, the container's own processes. It acts the same in a container's own user namespace or a sandbox's kernel.
   * The others are checked against the host's initial user namespace (capable()): held anywhere else, they give nothing.
   */
  namespaced?: true;
}

const hasDeviceAccess = (c: ContainerIsolation) => c.privileged || c.devices.length > 0 || c.deviceCgroupRules.length > 0;
const hasSensitiveMount = (c: ContainerIsolation) => c.mounts.some((m) => m.sensitive && m.origin === 'engine');
const sharesHostPid = (c: ContainerIsolation) => c.namespaces.pid.sharedWithHost === true;

/**
 * Severity is the rung of the ladder (docs/rules.md) the capability puts an attacker who already runs code in the
 * container on: critical = host root one step away, high = watching or interfering with the host.
 */
const DANGEROUS: readonly DangerousCapability[] = [
  { name: 'SYS_ADMIN', severity: 'critical', attack: ['T1611', 'T1068'] },
  { name: 'SYS_MODULE', severity: 'critical', attack: ['T1611', 'T1547.006', 'T1014'] },
  { name: 'SYS_RAWIO', severity: 'critical', attack: ['T1611', 'T1068'] },
  // open_by_handle_at walks the host's filesystems from a file handle ("shocker"): any host file, read.
  { name: 'DAC_READ_SEARCH', severity: 'critical', attack: ['T1611', 'T1552'] },
  {
    name: 'SYS_PTRACE',
    severity: 'medium',
    attack: ['T1055', 'T1552'],
    namespaced: true,
    when: (c) => !sharesHostPid(c),
    condition: 'Here it reaches only the container\'s own processes; with the host\'s PID namespace it is reported as capabilities/sys-ptrace-host-pid instead.',
  },
  { name: 'BPF', severity: 'high', attack: ['T1611', 'T1068', 'T1014'] },
  { name: 'NET_ADMIN', severity: 'high', attack: ['T1557', 'T1562.004'], namespaced: true },
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
    namespaced: true,
    condition: 'It is in Docker\'s default set, so this fires on most containers; drop it unless the container pings or sniffs.',
  },
];

function kebab(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

function dangerousCapabilityRule(spec: DangerousCapability, id = `capabilities/${kebab(spec.name)}`): ContainerRule {
  const kernelName = `CAP_${spec.name}`;
  const info = capabilityInfo(kernelName);
  const attacker = info?.attacker ?? info?.allows ?? '';
  return {
    id,
    // Plain words first, the kernel's name after: what a reviewer reads in the table, the report and the card.
    title: spec.title ?? `${info?.plain ?? 'Holds a privileged kernel operation'} (${kernelName} in the bounding set)`,
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
      // Held in a user namespace of the container's own or in a sandbox's kernel, a host-only capability gives nothing on the host.
      if (!spec.namespaced && capabilityScope(c) !== 'host') return null;
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
  title: 'Capabilities in the bounding set beyond the engine\'s default set',
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

/** CAP_SYS_PTRACE with the host's PID namespace: attach to any host process of the same or any uid and run code in it. */
export const sysPtraceHostPid: ContainerRule = dangerousCapabilityRule(
  {
    name: 'SYS_PTRACE',
    severity: 'critical',
    attack: ['T1611', 'T1055', 'T1552'],
    when: sharesHostPid,
    title: 'CAP_SYS_PTRACE with the host\'s PID namespace',
    condition: 'With the host\'s PID namespace that means every host process: inject code into a root daemon and it runs as root on the host.',
  },
  'capabilities/sys-ptrace-host-pid',
);

/** "ALL": at least this share of the capabilities the kernel knows (engines that predate CAP_BPF and CAP_PERFMON grant fewer). */
const ALL_SHARE = 0.75;

export const allCapabilities: ContainerRule = {
  id: 'capabilities/all',
  title: 'Every capability (--cap-add ALL or --privileged)',
  severity: 'critical',
  family: 'capabilities',
  rationale:
    'The container holds (nearly) every capability the kernel has, CAP_SYS_ADMIN, CAP_SYS_MODULE and CAP_SYS_PTRACE among them, so root in it can mount the host\'s disks, load kernel modules and take over host processes. This one finding stands for every dangerous capability it implies; they are listed in its evidence.',
  cis: '5.4',
  attack: ['T1611', 'T1068'],
  remediation: {
    text: 'Start from no capabilities and add back only the ones the workload needs.',
    dockerRun: 'remove --cap-add ALL; --cap-drop ALL --cap-add <needed>',
    compose: 'remove cap_add: [ALL]; cap_drop: [ALL]',
  },
  dockerBench: 'Same verdict as 5.4: docker-bench warns on CapAdd ALL; Isolens reads the bounding set the kernel applied and reports it once instead of once per capability.',
  check(c) {
    if (c.capabilities === null) return null;
    // A process that made its own user namespace shows a full bounding set, but over that namespace, not the host.
    if (capabilityScope(c) !== 'host') return null;
    const known = allCapabilityNames();
    const held = c.capabilities.bounding.filter((name) => known.includes(name));
    if (held.length < Math.ceil(known.length * ALL_SHARE)) return null;
    return [
      evidenceOf(c, 'capabilities.bounding', `${held.length} of the ${known.length} capabilities the kernel knows`),
      evidenceOf(c, 'capabilities.addedVsDefault', c.capabilities.addedVsDefault),
    ];
  },
  rollsUp: (ruleId) => ruleId.startsWith('capabilities/') && ruleId !== 'capabilities/all',
};

/**
 * CAP_SYS_ADMIN in the container's own user namespace (rootless engines, userns-remap, Sysbox): not host root, but it
 * lets root mount what that namespace may (tmpfs, proc, overlay, FUSE) and reaches kernel code written for namespaced
 * CAP_SYS_ADMIN, the route of several kernel escapes (CVE-2022-0185, CVE-2022-0492).
 */
export const sysAdminInUserNamespace: ContainerRule = {
  id: 'capabilities/sys-admin-user-namespace',
  title: 'CAP_SYS_ADMIN in the container\'s own user namespace',
  severity: 'medium',
  family: 'capabilities',
  rationale:
    'The container holds CAP_SYS_ADMIN, but in a user namespace of its own, so it is not host root: the kernel checks host-wide operations against the host\'s user namespace, where the container is an unprivileged uid. It can still mount filesystems its namespace may mount and reach kernel code that only namespaced CAP_SYS_ADMIN reaches, which several kernel escapes needed (CVE-2022-0185, CVE-2022-0492).',
  cis: null,
  attack: ['T1611', 'T1068'],
  remediation: {
    text: 'Drop SYS_ADMIN; if the workload needs it, run a dedicated, minimal container for that task only.',
    dockerRun: '--cap-drop SYS_ADMIN',
    compose: 'cap_drop: [SYS_ADMIN]',
  },
  dockerBench: 'docker-bench does not look at user namespaces: it reports CAP_SYS_ADMIN the same way wherever it is held.',
  check(c) {
    if (c.capabilities === null || !c.capabilities.bounding.includes('CAP_SYS_ADMIN')) return null;
    if (capabilityScope(c) !== 'user-namespace') return null;
    return [
      evidenceOf(c, 'capabilities.bounding', 'CAP_SYS_ADMIN'),
      evidenceOf(c, 'user.userns', c.user.userns),
    ];
  },
};

export const CAPABILITY_RULES: readonly ContainerRule[] = [
  allCapabilities,
  beyondDefault,
  ...DANGEROUS.map((spec) => dangerousCapabilityRule(spec)),
  sysPtraceHostPid,
  sysAdminInUserNamespace,
];
