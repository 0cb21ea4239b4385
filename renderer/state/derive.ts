// What the UI derives from one container's document: risk flags, finding counts, and the gaps and mismatches that concern a fact.
import { appliedLimit } from '../../app/model/limits.js';
import { capabilityInfo, defaultCapabilities } from '../../app/model/capabilities.js';
import { hostRootMounts, mountedEngineSocket } from '../../app/model/sensitive.js';
import type { ContainerIsolation, Finding, Gap, Mismatch, NamespaceKind, Severity } from '../../app/model/schema.js';
import { capabilityScope } from '../../app/model/runtime.js';

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** Namespaces a container normally gets privately; sharing one with the host is a choice someone made. */
export const PRIVATE_BY_DEFAULT: readonly NamespaceKind[] = ['pid', 'net', 'ipc', 'uts', 'mnt'];

export type RiskFlagKind = 'privileged' | 'host-mount' | 'host-namespaces' | 'dangerous-capabilities' | 'seccomp-off' | 'engine-socket' | 'no-limits' | 'root';

export interface RiskFlag {
  kind: RiskFlagKind;
  /** Short label shown in the badge. */
  label: string;
  /** One sentence with the evidence: the tooltip, the screen reader's text, and the drill-down's list. */
  detail: string;
  /** The worst finding the flag stands for. */
  severity: Severity;
}


export function isEngineSocketMount(mount: ContainerIsolation['mounts'][number]): boolean {
  return mountedEngineSocket(mount) !== null;
}

/** Capabilities of the bounding set (what the capability findings judge) that an attacker can use and the engine would not grant by default. */
export function dangerousExtraCapabilities(container: ContainerIsolation, engineKind: 'docker' | 'podman' | null): string[] {
  if (!container.capabilities) return [];
  const defaults = new Set(defaultCapabilities(engineKind));
  return container.capabilities.bounding.filter((name) => !defaults.has(name) && capabilityInfo(name)?.attacker !== undefined);
}

/** The findings each flag stands for: a flag is as severe as the worst of them, so the table can show the worst first. */
const FLAG_RULES: Record<RiskFlagKind, (ruleId: string) => boolean> = {
  privileged: (id) => id === 'runtime/privileged',
  'engine-socket': (id) => id === 'mounts/engine-socket',
  'host-mount': (id) => id === 'mounts/host-root-read-write',
  'host-namespaces': (id) => /^namespaces\/host-(pid|net|ipc|uts|mnt)$/.test(id),
  'dangerous-capabilities': (id) => id.startsWith('capabilities/') && id !== 'capabilities/beyond-default',
  'seccomp-off': (id) => id === 'seccomp-lsm/seccomp-disabled',
  'no-limits': (id) => id.startsWith('resources/'),
  root: (id) => id === 'namespaces/root-in-host-userns',
};

/** When no finding backs a flag (accepted risk, rules not run), the order still puts escape routes before hygiene. */
const FLAG_FALLBACK: Record<RiskFlagKind, Severity> = {
  privileged: 'critical',
  'engine-socket': 'critical',
  'host-mount': 'critical',
  'host-namespaces': 'high',
  'dangerous-capabilities': 'high',
  'seccomp-off': 'high',
  root: 'medium',
  'no-limits': 'low',
};

/** Risk flags, worst first: each flag carries the severity of the worst finding it stands for. */
export function riskFlags(container: ContainerIsolation, engineKind: 'docker' | 'podman' | null): RiskFlag[] {
  const flags: Omit<RiskFlag, 'severity'>[] = [];
  if (container.privileged) flags.push({ kind: 'privileged', label: 'PRIVILEGED', detail: 'Privileged: every capability, every device, no seccomp or AppArmor' });
  const sockets = container.mounts.filter(isEngineSocketMount);
  if (sockets.length > 0) flags.push({ kind: 'engine-socket', label: 'ENGINE SOCKET', detail: `Engine API socket mounted (${sockets.map((m) => m.source).join(', ')}): control of the engine is control of the host` });
  // The same mounts the CLI table flags HOST MOUNT: a writable host path that is host root one step away.
  const hostRoot = hostRootMounts(container.mounts);
  if (hostRoot.length > 0) {
    const first = hostRoot[0]!;
    flags.push({
      kind: 'host-mount',
      label: `HOST MOUNT ${first.source}${hostRoot.length > 1 ? ` +${hostRoot.length - 1}` : ''}`,
      detail: `Host path${hostRoot.length > 1 ? 's' : ''} mounted writable: ${hostRoot.map((m) => `${m.source} at ${m.destination}`).join(', ')}; root in the container can change what the host runs`,
    });
  }
  const shared = PRIVATE_BY_DEFAULT.filter((kind) => container.namespaces[kind].sharedWithHost === true);
  if (shared.length > 0) flags.push({ kind: 'host-namespaces', label: `HOST ${shared.join(',')}`, detail: `Shares the host's ${shared.join(', ')} namespace${shared.length > 1 ? 's' : ''}` });
  const dangerous = dangerousExtraCapabilities(container, engineKind);
  if (dangerous.length > 0) {
    const names = dangerous.map((c) => c.replace(/^CAP_/, ''));
    // The worst capability by name, then how many more: the same count the Capabilities tab calls "dangerous, added".
    const worst = [...names].sort((a, b) => capabilityRank(a) - capabilityRank(b))[0]!;
    flags.push({ kind: 'dangerous-capabilities', label: names.length === 1 ? worst : `${worst} +${names.length - 1}`, detail: `${names.length} dangerous capabilit${names.length === 1 ? 'y' : 'ies'} in the bounding set beyond the engine default: ${names.join(', ')}` });
  }
  if (container.seccomp.mode === 'disabled' || container.seccomp.profile === 'unconfined') flags.push({ kind: 'seccomp-off', label: 'NO SECCOMP', detail: 'No seccomp filter: every system call reaches the kernel' });
  // Under gVisor or Kata uid 0 is root of the sandbox's kernel, not the host's (app/model/runtime.ts).
  if (container.user.uid === 0 && capabilityScope(container) !== 'sandbox') flags.push({ kind: 'root', label: 'ROOT', detail: container.user.userns === 'private' ? 'Runs as root (uid 0 as seen from the host)' : 'Runs as root with no private user namespace: uid 0 is the host\'s root' });
  // The limit that applies: one set on an ancestor cgroup (a parent slice, --cgroup-parent) caps the container too.
  const unlimited = [
    appliedLimit(container, 'memoryLimitBytes').value === null ? 'memory' : null,
    appliedLimit(container, 'pidsLimit').value === null ? 'pids' : null,
    appliedLimit(container, 'cpuQuotaCores').value === null ? 'CPU' : null,
  ].filter((x): x is string => x !== null);
  if (unlimited.length > 0) flags.push({ kind: 'no-limits', label: `NO LIMIT`, detail: `No ${unlimited.join(', ')} limit: one container can starve the host` });
  const ranked = flags.map((flag, order) => {
    const backing = container.findings.filter((f) => FLAG_RULES[flag.kind](f.ruleId)).map((f) => f.severity);
    const severity = backing.length > 0 ? backing.reduce((worst, s) => (SEVERITY_RANK[s] < SEVERITY_RANK[worst] ? s : worst)) : FLAG_FALLBACK[flag.kind];
    return { flag: { ...flag, severity }, order };
  });
  ranked.sort((a, b) => SEVERITY_RANK[a.flag.severity] - SEVERITY_RANK[b.flag.severity] || a.order - b.order);
  return ranked.map((r) => r.flag);
}

/** Capabilities an attacker escapes with first: the order the flag names the worst one by. */
const CAPABILITY_ORDER = ['SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'BPF', 'NET_ADMIN'];
function capabilityRank(name: string): number {
  const index = CAPABILITY_ORDER.indexOf(name);
  return index < 0 ? CAPABILITY_ORDER.length : index;
}

export type SeverityCounts = Record<Severity, number>;

export function severityCounts(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

/** A sort key where more severe findings weigh more than any number of lesser ones. */
export function severityWeight(counts: SeverityCounts): number {
  return counts.critical * 1e8 + counts.high * 1e6 + counts.medium * 1e4 + counts.low * 1e2 + counts.info;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  // Stable: within a severity the rules engine's own order is kept.
  return [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

export interface FactNotes {
  gaps: Gap[];
  mismatches: Mismatch[];
}

/** Gaps and mismatches about a fact or anything under it ("namespaces.pid" also matches "namespaces.pid.sharedWithHost"). */
export function notesFor(container: ContainerIsolation, fact: string): FactNotes {
  const concerns = (path: string) => path === fact || path.startsWith(`${fact}.`) || fact.startsWith(`${path}.`);
  return { gaps: container.gaps.filter((g) => concerns(g.fact)), mismatches: container.mismatches.filter((m) => concerns(m.fact)) };
}

/** Where the engine document says the fact came from, by exact path or its nearest parent. */
export function sourceOf(container: ContainerIsolation, fact: string): 'kernel' | 'config' | null {
  let path = fact;
  for (;;) {
    const source = container.sources[path];
    if (source) return source;
    const dot = path.lastIndexOf('.');
    if (dot < 0) return null;
    path = path.slice(0, dot);
  }
}
