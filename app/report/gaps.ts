// Gaps grouped for reading: the same hazard on many containers and facts is one entry, and a scan limited by
// permissions leads with one line that says what is limited and what to do.
import type { ContainerIsolation, Gap, Snapshot } from '../model/schema.js';

/** One hazard: the facts it left unknown, on which containers (or the scan itself), with one reason. */
export interface GapGroup {
  /** The facts, in first-seen order ("namespaces.pid", "capabilities" …). */
  facts: string[];
  /** The reason, with what differs between members (process ids, the fact's own name) written as PID and *. */
  reason: string;
  /** Names of the containers it concerns, in the order given; empty for gaps of the scan as a whole. */
  containers: string[];
  /** Whether it concerns the scan as a whole. */
  scan: boolean;
  /** How many gaps it stands for. */
  count: number;
}

/** The family and leaf of a dotted fact: "namespaces.pid" → ["namespaces", "pid"]; "capabilities" → ["capabilities", null]. */
function splitFact(fact: string): [string, string | null] {
  const dot = fact.lastIndexOf('.');
  return dot <= 0 || dot === fact.length - 1 ? [fact, null] : [fact.slice(0, dot), fact.slice(dot + 1)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The reason with the parts that differ between containers and facts made generic. */
function pattern(reason: string, leaf: string | null): string {
  let text = reason.replace(/\/proc\/\d+(?=\/|\b)/g, '/proc/PID').replace(/\bprocess \d+\b/g, 'process PID');
  // A path ending in the fact's own name (/proc/PID/ns/pid for namespaces.pid) is the same hazard for every leaf.
  if (leaf !== null) text = text.replace(new RegExp(`/${escapeRegExp(leaf)}(?![\\w-])`, 'g'), '/*');
  return text;
}

/** Group the snapshot's gaps by scope (a container's or the scan's) and generic reason; the largest group first. */
export function groupGaps(snapshot: Pick<Snapshot, 'gaps'> & { containers: readonly Pick<ContainerIsolation, 'name' | 'gaps'>[] }): GapGroup[] {
  const groups = new Map<string, GapGroup & { reasons: Set<string> }>();
  const add = (gap: Gap, container: string | null) => {
    const [, leaf] = splitFact(gap.fact);
    const generic = pattern(gap.reason, leaf);
    const key = `${container === null ? 'scan' : 'containers'}\u0000${generic}`;
    let group = groups.get(key);
    if (!group) {
      group = { facts: [], reason: generic, containers: [], scan: container === null, count: 0, reasons: new Set() };
      groups.set(key, group);
    }
    group.count++;
    group.reasons.add(gap.reason);
    if (!group.facts.includes(gap.fact)) group.facts.push(gap.fact);
    if (container !== null && !group.containers.includes(container)) group.containers.push(container);
  };
  for (const gap of snapshot.gaps) add(gap, null);
  for (const container of snapshot.containers) for (const gap of container.gaps) add(gap, container.name);
  const ordered = [...groups.values()].sort((a, b) => b.count - a.count);
  // A group of one keeps its exact reason (with its real process id): nothing was merged, so nothing is generic.
  return ordered.map(({ reasons, ...group }) => (reasons.size === 1 ? { ...group, reason: [...reasons][0]! } : group));
}

/**
 * The facts of a group in words, a family's leaves together: "namespaces.pid", "namespaces pid, net, ipc",
 * "namespaces; capabilities; seccomp".
 */
export function describeGroupFacts(group: Pick<GapGroup, 'facts'>): string {
  if (group.facts.length === 1) return group.facts[0]!;
  const families = new Map<string, string[]>();
  for (const fact of group.facts) {
    const [family, leaf] = splitFact(fact);
    const leaves = families.get(family) ?? [];
    if (leaf !== null) leaves.push(leaf);
    families.set(family, leaves);
  }
  return [...families].map(([family, leaves]) => (leaves.length === 0 ? family : leaves.length === 1 ? `${family}.${leaves[0]}` : `${family} ${leaves.join(', ')}`)).join('; ');
}

/** The first few names and how many more: a group's containers stay one bounded line. */
export function describeGroupContainers(names: readonly string[], shown = 5): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

const PERMISSION = /^permission denied\b/i;
const NO_KERNEL_SOURCE = /^no kernel source\b/i;

/** What to do when the kernel's files of other users' processes cannot be read: the one place that advice lives. */
export const PERMISSION_ADVICE =
  'run Isolens as root (sudo isolens scan), or with --kernel-source helper (a short-lived helper container on the engine reads them), or with CAP_SYS_PTRACE';

/**
 * One line for a scan whose kernel facts could not be read for some containers (Isolens not run as root and the
 * containers root's, or no kernel source at all): how many containers, which facts, and what to do. Null otherwise.
 */
export function permissionHeadline(snapshot: Pick<Snapshot, 'gaps'> & { containers: readonly Pick<ContainerIsolation, 'name' | 'gaps'>[] }): string | null {
  const families = (test: RegExp) => {
    const found: string[] = [];
    const containers = new Set<string>();
    for (const container of snapshot.containers) {
      for (const gap of container.gaps) {
        if (!test.test(gap.reason)) continue;
        containers.add(container.name);
        const [family] = splitFact(gap.fact);
        if (!found.includes(family)) found.push(family);
      }
    }
    return { found, containers: containers.size };
  };
  const total = snapshot.containers.length;
  const of = (count: number) => `${count} of ${total} container${total === 1 ? '' : 's'}`;
  const denied = families(PERMISSION);
  if (denied.containers > 0) {
    return `permission denied reading the kernel's view of ${of(denied.containers)} (${denied.found.join(', ')}): those facts come from the engine's configuration, unverified; ${PERMISSION_ADVICE}`;
  }
  const none = families(NO_KERNEL_SOURCE);
  if (none.containers > 0) {
    return `no kernel source for ${of(none.containers)} (${none.found.join(', ')}): those facts come from the engine's configuration, unverified; why, and what to do, is under "Not read" below`;
  }
  return null;
}
