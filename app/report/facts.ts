// What every report format shares: worst-first ordering, counts by severity, and the key isolation facts in words.
import {
  SEVERITIES,
  type ContainerIsolation,
  type EngineInfo,
  type Finding,
  type Grade,
  type NamespaceKind,
  type Port,
  type Severity,
  type Snapshot,
} from '../model/schema.js';
import { hostRootMounts } from '../model/sensitive.js';
import { capabilityScope, runtimeLabel } from '../model/runtime.js';
import { compareText } from '../model/collation.js';

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as SeverityCounts;
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

/** 0 for critical … 4 for info: SEVERITIES is ordered worst first. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Findings worst first; the rule id keeps the order stable between runs. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || compareText(a.ruleId, b.ruleId));
}

/**
 * Containers worst first: lowest score, then most findings at the worst severity, then name. A snapshot
 * without scores (risk engine off) still orders by findings, and a snapshot without findings by name.
 */
export function sortWorstFirst(containers: readonly ContainerIsolation[]): ContainerIsolation[] {
  return [...containers].sort((a, b) => {
    const scoreA = a.score ?? Number.POSITIVE_INFINITY;
    const scoreB = b.score ?? Number.POSITIVE_INFINITY;
    if (scoreA !== scoreB) return scoreA - scoreB;
    const countsA = countBySeverity(a.findings);
    const countsB = countBySeverity(b.findings);
    for (const severity of SEVERITIES) {
      if (countsA[severity] !== countsB[severity]) return countsB[severity] - countsA[severity];
    }
    return compareText(a.name, b.name) || compareText(a.id, b.id);
  });
}

/** Whether the risk engine ran: any finding, score or grade anywhere. */
export function isAssessed(snapshot: Snapshot): boolean {
  return (
    snapshot.host.grade !== null ||
    snapshot.host.findings.length > 0 ||
    snapshot.containers.some((c) => c.grade !== null || c.score !== null || c.findings.length > 0)
  );
}

export const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D', 'E', 'F'];

export function gradeDistribution(containers: readonly ContainerIsolation[]): Record<Grade | 'none', number> {
  const distribution = { A: 0, B: 0, C: 0, D: 0, E: 0, F: 0, none: 0 };
  for (const container of containers) distribution[container.grade ?? 'none'] += 1;
  return distribution;
}

/** One isolation fact: a label and value for documents, a compact form for the terminal, and whether it weakens isolation. */
export interface KeyFact {
  label: string;
  value: string;
  compact: string;
  weakens: boolean;
}

function fact(label: string, value: string, compact: string, weakens: boolean): KeyFact {
  return { label, value, compact, weakens };
}

/** The namespaces whose sharing with the host is a choice someone made (user is its own fact; time is never private in engines). */
const CHOSEN_NAMESPACES: readonly NamespaceKind[] = ['pid', 'net', 'ipc', 'uts', 'mnt'];

export function hostNamespaces(container: ContainerIsolation): NamespaceKind[] {
  const shared = CHOSEN_NAMESPACES.filter((kind) => container.namespaces[kind].sharedWithHost === true);
  // On cgroup v1 the host cgroup namespace is the engine default and hides nothing; on v2 it exposes the host's tree.
  if (container.cgroup.version === 2 && container.namespaces.cgroup.sharedWithHost === true) shared.push('cgroup');
  return shared;
}

export function shortCapability(name: string): string {
  return name.startsWith('CAP_') ? name.slice(4) : name;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Published ports; an IPv4 and IPv6 wildcard pair for the same port shows once as "*:port". */
export function formatPorts(ports: readonly Port[]): string[] {
  const wildcard = (ip: string) => ip === '0.0.0.0' || ip === '::' || ip === '';
  const seen = new Set<string>();
  const formatted: string[] = [];
  for (const port of ports) {
    const host = wildcard(port.hostIp) ? '*' : port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
    const text = `${host}:${port.hostPort}→${port.containerPort}/${port.protocol}`;
    if (!seen.has(text)) {
      seen.add(text);
      formatted.push(text);
    }
  }
  return formatted;
}

export function describeUser(container: ContainerIsolation): { text: string; root: boolean | null } {
  const { uid, uidInContainer, userns } = container.user;
  if (uid === null) return { text: 'unknown', root: null };
  if (userns === 'private' && uidInContainer !== null && uidInContainer !== uid) {
    return { text: `${uidInContainer}→host ${uid}`, root: uid === 0 };
  }
  return { text: uid === 0 ? '0 (root)' : String(uid), root: uid === 0 };
}

/** The runtime, when it is not the ordinary runc/crun on the host's kernel: "runsc (gVisor, user-space kernel)". */
export function runtimeFact(container: ContainerIsolation): KeyFact | null {
  const label = runtimeLabel(container.runtime);
  return label ? fact('runtime', label.long, label.short, false) : null;
}

/**
 * The isolation facts a reviewer looks at first, in a fixed order. Values are plain text built from
 * engine and kernel facts; renderers still escape them (mount paths and IPs can be attacker text).
 */
export function keyFacts(container: ContainerIsolation): KeyFact[] {
  const facts: KeyFact[] = [];
  if (container.privileged) facts.push(fact('privileged', 'yes', 'PRIVILEGED', true));
  const runtime = runtimeFact(container);
  if (runtime) facts.push(runtime);

  const user = describeUser(container);
  const userText = user.text + (container.user.userns === 'private' ? ' (userns)' : '');
  facts.push(fact('user', userText, `uid ${userText}`, user.root === true && container.user.userns !== 'private'));

  const shared = hostNamespaces(container);
  facts.push(
    shared.length > 0
      ? fact('host namespaces', shared.join(', '), `host:${shared.join(',')}`, true)
      : fact('host namespaces', 'none', 'ns private', false),
  );

  const capabilities = container.capabilities;
  if (capabilities === null) {
    facts.push(fact('capabilities', 'unknown', 'caps ?', false));
  } else {
    // Two sets, named every time: the bounding set is what the capability findings judge (the ceiling any process in the
    // container can reach through setuid or file capabilities); the effective set is what the main process holds now.
    const added = capabilities.addedVsDefault.map(shortCapability);
    const dropped = capabilities.droppedVsDefault.map(shortCapability);
    const boundingValue = capabilities.bounding.length === 0
      ? 'empty'
      : [added.length > 0 ? `added ${added.join(', ')}` : '', dropped.length > 0 ? `dropped ${dropped.join(', ')}` : ''].filter(Boolean).join('; ') || 'engine default';
    const boundingCompact = capabilities.bounding.length === 0
      ? 'none'
      : [...added.map((name) => `+${name}`), ...(dropped.length > 0 ? [`-${dropped.length}`] : [])].join(' ') || 'default';
    const same = capabilities.effective.length === capabilities.bounding.length;
    const effectiveValue = capabilities.effective.length === 0 ? 'empty' : same ? 'all of the bounding set' : `${capabilities.effective.length} of the bounding set`;
    const effectiveCompact = capabilities.effective.length === 0 ? 'none' : same ? 'all' : String(capabilities.effective.length);
    // Capabilities held in the container's own user namespace or a sandbox's kernel are not the host's (app/model/runtime.ts).
    const scope = capabilityScope(container);
    const where = scope === 'user-namespace' ? ' (in its own user namespace)' : scope === 'sandbox' ? ' (in the sandbox\'s kernel)' : '';
    facts.push(
      fact(
        'capabilities',
        `bounding set ${boundingValue}; effective set ${effectiveValue}${where}`,
        (capabilities.bounding.length === 0 ? 'caps none (bounding, effective)' : `caps bounding ${boundingCompact}, effective ${effectiveCompact}`) + (scope === 'host' ? '' : ' (ns)'),
        added.length > 0 && scope === 'host',
      ),
    );
  }

  const { mode, profile, filters } = container.seccomp;
  const seccompText = `${profile ?? 'unknown'}${mode ? ` (${mode}${mode === 'filter' && filters !== null ? `, ${filters} filter${filters === 1 ? '' : 's'}` : ''})` : ''}`;
  facts.push(fact('seccomp', seccompText, `seccomp ${profile ?? mode ?? '?'}`, mode === 'disabled' || profile === 'unconfined'));

  const nnp = container.noNewPrivileges === null ? 'unknown' : container.noNewPrivileges ? 'on' : 'off';
  facts.push(fact('no-new-privileges', nnp, `nnp ${nnp}`, container.noNewPrivileges === false));

  const rootfs = container.readOnlyRootfs === null ? 'unknown' : container.readOnlyRootfs ? 'read-only' : 'writable';
  facts.push(fact('root filesystem', rootfs, container.readOnlyRootfs === null ? 'rootfs ?' : container.readOnlyRootfs ? 'ro rootfs' : 'rw rootfs', false));

  const { memoryLimitBytes, cpuQuotaCores, pidsLimit } = container.cgroup;
  const memory = memoryLimitBytes === null ? 'unlimited' : formatBytes(memoryLimitBytes);
  const cpu = cpuQuotaCores === null ? 'unlimited' : `${cpuQuotaCores} cores`;
  const pids = pidsLimit === null ? 'unlimited' : String(pidsLimit);
  facts.push(fact('memory limit', memory, `mem ${memoryLimitBytes === null ? '∞' : memory.replace(' ', '')}`, memoryLimitBytes === null));
  facts.push(fact('CPU limit', cpu, `cpu ${cpuQuotaCores === null ? '∞' : cpuQuotaCores}`, false));
  facts.push(fact('PIDs limit', pids, `pids ${pidsLimit === null ? '∞' : pids}`, pidsLimit === null));

  const sensitive = container.mounts.filter((mount) => mount.sensitive);
  if (sensitive.length > 0) {
    const readWrite = sensitive.filter((mount) => mount.readOnly !== true).length;
    // A writable host path that is host root one step away is flagged by name, as loudly as PRIVILEGED.
    const hostRoot = hostRootMounts(sensitive);
    const compact = hostRoot.length > 0 ? `HOST MOUNT ${hostRoot.map((m) => `${m.source}→${m.destination} rw`).join(', ')}` : `sensitive mounts ${sensitive.length} (${readWrite} rw)`;
    facts.push(fact('sensitive mounts', sensitive.map((m) => `${m.source} → ${m.destination} (${m.readOnly === true ? 'ro' : 'rw'})`).join('; '), compact, true));
  }
  if (container.devices.length > 0) {
    facts.push(fact('devices', container.devices.map((d) => `${d.pathOnHost} → ${d.pathInContainer} (${d.permissions})`).join('; '), `devices ${container.devices.length}`, true));
  }
  const ports = formatPorts(container.ports);
  if (ports.length > 0) facts.push(fact('ports', ports.join(', '), `ports ${ports.join(' ')}`, false));
  return facts;
}

/** The engine in one line of words. */
export function describeEngine(engine: EngineInfo): string[] {
  const parts: string[] = [];
  parts.push([engine.kind ?? 'unknown engine', engine.version].filter(Boolean).join(' '));
  if (engine.apiVersion) parts.push(`API ${engine.apiVersion}`);
  parts.push(`${engine.endpoint} (${engine.endpointSource}${engine.tls ? ', TLS' : ''})`);
  parts.push(engine.rootless === null ? 'rootless unknown' : engine.rootless ? 'rootless' : 'rootful');
  parts.push(engine.userNamespaceRemap === null ? 'userns-remap unknown' : `userns-remap ${engine.userNamespaceRemap ? 'on' : 'off'}`);
  parts.push(engine.cgroupVersion === null ? 'cgroup unknown' : `cgroup v${engine.cgroupVersion}${engine.cgroupDriver ? ` (${engine.cgroupDriver})` : ''}`);
  if (!engine.local) parts.push('remote: kernel facts not readable');
  return parts;
}

/** One evidence item as `fact = value (source)`, with the value rendered by the caller's escaping. */
export function describeEvidence(evidence: Finding['evidence'][number], display: (value: unknown) => string): string {
  return `${evidence.fact} = ${display(evidence.value)} (${evidence.source})`;
}
