// Two containers' isolation side by side: every fact as a row (which side is better, if either), findings split by side, the score delta.
import { NAMESPACE_KINDS, type ContainerIsolation, type Finding, type Grade, type Mount } from '../model/schema.js';

/** A fact's value as the diff shows it: plain data, never markup (names and paths are attacker text). */
export type FactValue = string | number | boolean | null | string[];

export type Side = 'a' | 'b';

export interface DiffRow {
  /** Dotted fact path, as in the document ("capabilities.effective", "mounts[/data]"). */
  fact: string;
  /** The section the row belongs to in a side-by-side view. */
  group: 'runtime' | 'user' | 'namespaces' | 'capabilities' | 'seccomp-lsm' | 'resources' | 'mounts' | 'network' | 'devices' | 'identity';
  a: FactValue;
  b: FactValue;
  changed: boolean;
  /** The side whose value isolates better; null when they are equal or neither is clearly better. */
  better: Side | null;
}

export interface DiffSide {
  id: string;
  name: string;
  image: string;
  score: number | null;
  grade: Grade | null;
}

export interface FindingPair {
  ruleId: string;
  a: Finding;
  b: Finding;
}

export interface ContainerDiff {
  a: DiffSide;
  b: DiffSide;
  rows: DiffRow[];
  findings: { onlyInA: Finding[]; onlyInB: Finding[]; inBoth: FindingPair[] };
  /** b's score minus a's: positive when b isolates better; null when either is not scored. */
  scoreDelta: number | null;
}

/** How to judge two values of a fact; returns the better side or null. */
type Judge = (a: FactValue, b: FactValue) => Side | null;

const equal = (a: FactValue, b: FactValue): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Prefer the side with the lower rank (ranks that cannot be computed make no judgement). */
function byRank(rank: (value: FactValue) => number | null): Judge {
  return (a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    if (ra === null || rb === null || ra === rb) return null;
    return ra < rb ? 'a' : 'b';
  };
}

const noJudgement: Judge = () => null;
const trueIsBetter = byRank((v) => (v === true ? 0 : v === false ? 1 : null));
const falseIsBetter = byRank((v) => (v === false ? 0 : v === true ? 1 : null));
/** A list where fewer entries isolate better (capabilities held, devices, ports). */
const fewerIsBetter = byRank((v) => (Array.isArray(v) ? v.length : null));
const moreIsBetter = byRank((v) => (Array.isArray(v) ? -v.length : null));
/** A limit: any limit beats none (null), a smaller one beats a larger one. */
const lowerLimitIsBetter = byRank((v) => (typeof v === 'number' ? v : v === null ? Number.POSITIVE_INFINITY : null));

const seccompModeRank = byRank((v) => (v === 'strict' ? 0 : v === 'filter' ? 1 : v === 'disabled' ? 2 : null));
// A custom profile is not judged against the default: Isolens does not review it (see rule seccomp-lsm/seccomp-custom).
const seccompProfileRank = byRank((v) => (v === 'default' || v === 'custom' ? 0 : v === 'unconfined' ? 1 : null));
const lsmRank = byRank((v) => (typeof v === 'string' ? (/^unconfined\b|:spc_t:|:unconfined_t:/.test(v) ? 1 : 0) : null));
const uidRank = byRank((v) => (v === 0 ? 1 : typeof v === 'number' ? 0 : null));
const usernsRank = byRank((v) => (v === 'private' ? 0 : v === 'host' ? 1 : null));
const networkModeRank = byRank((v) => (v === 'none' ? 0 : v === 'host' ? 2 : typeof v === 'string' ? 1 : null));

/** Mount risk: absent or ordinary (a volume, a tmpfs) < sensitive read-only < sensitive read-write; shared propagation adds one. */
function mountRank(mount: Mount | undefined): number {
  if (!mount) return 0;
  let rank = mount.sensitive ? (mount.readOnly === false ? 2 : 1) : 0;
  if (mount.propagation === 'shared' || mount.propagation === 'shared+slave') rank += 1;
  return rank;
}

function describeMount(mount: Mount | undefined): FactValue {
  if (!mount) return null;
  const parts = [mount.type, mount.source, mount.readOnly === null ? 'ro?' : mount.readOnly ? 'ro' : 'rw'];
  if (mount.propagation && mount.propagation !== 'private') parts.push(mount.propagation);
  if (mount.sensitive) parts.push(`sensitive${mount.sensitiveReason ? `: ${mount.sensitiveReason}` : ''}`);
  return parts.join(' ');
}

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]', '']);
const portText = (p: ContainerIsolation['ports'][number]) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`;
const wildcardPortCount = (v: FactValue) => (Array.isArray(v) ? v.filter((text) => WILDCARD_ADDRESSES.has(text.slice(0, text.lastIndexOf(':')))).length : null);
const portsJudge: Judge = (a, b) => byRank(wildcardPortCount)(a, b) ?? fewerIsBetter(a, b);

/** Only the capabilities that differ from what a default container holds are worth a row each; the sets are rows too. */
function capabilityRows(a: ContainerIsolation, b: ContainerIsolation): Array<[string, FactValue, FactValue, Judge]> {
  const sets = ['effective', 'permitted', 'bounding', 'inheritable', 'ambient', 'addedVsDefault'] as const;
  const rows: Array<[string, FactValue, FactValue, Judge]> = sets.map((set) => [
    `capabilities.${set}`,
    a.capabilities ? [...a.capabilities[set]] : null,
    b.capabilities ? [...b.capabilities[set]] : null,
    fewerIsBetter,
  ]);
  rows.push([
    'capabilities.droppedVsDefault',
    a.capabilities ? [...a.capabilities.droppedVsDefault] : null,
    b.capabilities ? [...b.capabilities.droppedVsDefault] : null,
    moreIsBetter,
  ]);
  return rows;
}

/** Every fact of two containers side by side, with the findings each has and the other lacks, and the score delta (b − a). */
export function diffContainers(a: ContainerIsolation, b: ContainerIsolation): ContainerDiff {
  const rows: DiffRow[] = [];
  const add = (group: DiffRow['group'], fact: string, va: FactValue, vb: FactValue, judge: Judge) => {
    const changed = !equal(va, vb);
    rows.push({ fact, group, a: va, b: vb, changed, better: changed ? judge(va, vb) : null });
  };

  add('identity', 'image', a.image, b.image, noJudgement);
  add('identity', 'command', [...a.command], [...b.command], noJudgement);

  add('runtime', 'privileged', a.privileged, b.privileged, falseIsBetter);
  add('runtime', 'readOnlyRootfs', a.readOnlyRootfs, b.readOnlyRootfs, trueIsBetter);
  add('runtime', 'noNewPrivileges', a.noNewPrivileges, b.noNewPrivileges, trueIsBetter);
  add('runtime', 'restartPolicy', `${a.restartPolicy.name}:${a.restartPolicy.maximumRetryCount}`, `${b.restartPolicy.name}:${b.restartPolicy.maximumRetryCount}`, noJudgement);

  add('user', 'user.uid', a.user.uid, b.user.uid, uidRank);
  add('user', 'user.gid', a.user.gid, b.user.gid, noJudgement);
  add('user', 'user.userns', a.user.userns, b.user.userns, usernsRank);
  add('user', 'user.configured', a.user.configured, b.user.configured, noJudgement);

  for (const kind of NAMESPACE_KINDS) {
    add('namespaces', `namespaces.${kind}.sharedWithHost`, a.namespaces[kind].sharedWithHost, b.namespaces[kind].sharedWithHost, falseIsBetter);
    add('namespaces', `namespaces.${kind}.mode`, a.namespaces[kind].mode, b.namespaces[kind].mode, noJudgement);
  }

  for (const [fact, va, vb, judge] of capabilityRows(a, b)) add('capabilities', fact, va, vb, judge);

  add('seccomp-lsm', 'seccomp.mode', a.seccomp.mode, b.seccomp.mode, seccompModeRank);
  add('seccomp-lsm', 'seccomp.profile', a.seccomp.profile, b.seccomp.profile, seccompProfileRank);
  add('seccomp-lsm', 'seccomp.filters', a.seccomp.filters, b.seccomp.filters, noJudgement);
  add('seccomp-lsm', 'lsm.apparmor', a.lsm.apparmor, b.lsm.apparmor, lsmRank);
  add('seccomp-lsm', 'lsm.selinux', a.lsm.selinux, b.lsm.selinux, lsmRank);

  add('resources', 'cgroup.memoryLimitBytes', a.cgroup.memoryLimitBytes, b.cgroup.memoryLimitBytes, lowerLimitIsBetter);
  add('resources', 'cgroup.cpuQuotaCores', a.cgroup.cpuQuotaCores, b.cgroup.cpuQuotaCores, lowerLimitIsBetter);
  add('resources', 'cgroup.pidsLimit', a.cgroup.pidsLimit, b.cgroup.pidsLimit, lowerLimitIsBetter);
  add('resources', 'cgroup.cpusetCpus', a.cgroup.cpusetCpus, b.cgroup.cpusetCpus, noJudgement);

  // Declared mounts only, matched by where they land: the runtime's own mounts are the same in every container.
  const declared = (c: ContainerIsolation) => new Map(c.mounts.filter((m) => m.origin === 'engine').map((m) => [m.destination, m]));
  const mountsA = declared(a);
  const mountsB = declared(b);
  const destinations = [...new Set([...mountsA.keys(), ...mountsB.keys()])].sort();
  for (const destination of destinations) {
    const ma = mountsA.get(destination);
    const mb = mountsB.get(destination);
    const va = describeMount(ma);
    const vb = describeMount(mb);
    const changed = !equal(va, vb);
    const ra = mountRank(ma);
    const rb = mountRank(mb);
    rows.push({ fact: `mounts[${destination}]`, group: 'mounts', a: va, b: vb, changed, better: !changed || ra === rb ? null : ra < rb ? 'a' : 'b' });
  }
  const runtimeWritable = (c: ContainerIsolation) => c.mounts.filter((m) => m.origin === 'runtime' && m.readOnly === false).map((m) => m.destination).sort();
  add('mounts', 'mounts.runtimeWritable', runtimeWritable(a), runtimeWritable(b), noJudgement);

  add('network', 'network.mode', a.network.mode, b.network.mode, networkModeRank);
  add('network', 'ports', a.ports.map(portText), b.ports.map(portText), portsJudge);

  add('devices', 'devices', a.devices.map((d) => `${d.pathOnHost}:${d.pathInContainer}:${d.permissions}`), b.devices.map((d) => `${d.pathOnHost}:${d.pathInContainer}:${d.permissions}`), fewerIsBetter);
  add('devices', 'deviceCgroupRules', [...a.deviceCgroupRules], [...b.deviceCgroupRules], fewerIsBetter);

  const findingsB = new Map(b.findings.map((f) => [f.ruleId, f]));
  const findingsA = new Map(a.findings.map((f) => [f.ruleId, f]));
  const onlyInA = a.findings.filter((f) => !findingsB.has(f.ruleId));
  const onlyInB = b.findings.filter((f) => !findingsA.has(f.ruleId));
  const inBoth = a.findings.filter((f) => findingsB.has(f.ruleId)).map((f) => ({ ruleId: f.ruleId, a: f, b: findingsB.get(f.ruleId)! }));

  return {
    a: side(a),
    b: side(b),
    rows,
    findings: { onlyInA, onlyInB, inBoth },
    scoreDelta: a.score === null || b.score === null ? null : b.score - a.score,
  };
}

function side(c: ContainerIsolation): DiffSide {
  return { id: c.id, name: c.name, image: c.image, score: c.score, grade: c.grade };
}

/** One line per value, for tables: lists joined, null as "—" (unknown or none, as the fact's description says). */
export function formatFactValue(value: FactValue): string {
  if (value === null) return '—';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  return String(value);
}

