// The diff table's facts in a reviewer's words and units: "Memory limit 64 MiB", not `cgroup.memoryLimitBytes 67108864`.
import type { FactValue } from '../../../app/lab/diff.js';
import { NAMESPACE_KINDS } from '../../../app/model/vocabulary.js';
import { formatBytes } from '../../state/format.js';

export interface FactText {
  label: string;
  /** The value as one line of text (never markup: names and paths are attacker text). */
  format: (value: FactValue) => string;
}

const list = (value: FactValue): string => {
  if (value === null) return 'unknown';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  return String(value);
};
const yesNo = (value: FactValue): string => (value === true ? 'yes' : value === false ? 'no' : list(value));
/** A limit: null means the container has none. */
const limit = (unit: (n: number) => string) => (value: FactValue): string => (value === null ? 'no limit' : typeof value === 'number' ? unit(value) : list(value));
// Capabilities keep the kernel's names (CAP_SYS_ADMIN), as the findings and the Capabilities tab write them.
const capabilities = (value: FactValue): string => (Array.isArray(value) ? (value.length === 0 ? 'none' : `${value.length}: ${value.join(', ')}`) : list(value));

const NAMESPACE_WORDS: Record<(typeof NAMESPACE_KINDS)[number], string> = {
  pid: 'PID',
  net: 'network',
  ipc: 'IPC',
  uts: 'hostname (UTS)',
  mnt: 'mount',
  user: 'user',
  cgroup: 'cgroup',
  time: 'time',
};

const TEXTS: Record<string, FactText> = {
  image: { label: 'Image', format: list },
  command: { label: 'Command', format: list },
  privileged: { label: 'Privileged (--privileged)', format: yesNo },
  readOnlyRootfs: { label: 'Read-only root filesystem', format: yesNo },
  noNewPrivileges: { label: 'No new privileges', format: yesNo },
  restartPolicy: { label: 'Restart policy', format: list },
  'user.uid': { label: 'User id', format: (v) => (v === 0 ? '0 (root)' : list(v)) },
  'user.gid': { label: 'Group id', format: (v) => (v === 0 ? '0 (root)' : list(v)) },
  'user.userns': { label: 'User namespace', format: (v) => (v === 'host' ? "host's (no remapping)" : list(v)) },
  'user.configured': { label: 'User set at run (--user)', format: (v) => (v === '' ? "image's default" : list(v)) },
  'capabilities.effective': { label: 'Capabilities in effect', format: capabilities },
  'capabilities.permitted': { label: 'Capabilities permitted', format: capabilities },
  'capabilities.bounding': { label: 'Capability bounding set', format: capabilities },
  'capabilities.inheritable': { label: 'Capabilities inheritable', format: capabilities },
  'capabilities.ambient': { label: 'Ambient capabilities', format: capabilities },
  'capabilities.addedVsDefault': { label: "Capabilities beyond the engine's default", format: capabilities },
  'capabilities.droppedVsDefault': { label: "Default capabilities dropped", format: capabilities },
  'seccomp.mode': { label: 'Seccomp mode', format: list },
  'seccomp.profile': { label: 'Seccomp profile', format: list },
  'seccomp.filters': { label: 'Seccomp filters loaded', format: list },
  'lsm.apparmor': { label: 'AppArmor profile', format: list },
  'lsm.selinux': { label: 'SELinux label', format: list },
  // Limits are round numbers a user typed ("64m"): 64 MiB, not 64.0 MiB.
  'cgroup.memoryLimitBytes': { label: 'Memory limit', format: limit((n) => formatBytes(n).replace(/\.0 /, ' ')) },
  'cgroup.cpuQuotaCores': { label: 'CPU limit', format: limit((n) => `${Number(n.toFixed(2))} CPU${n === 1 ? '' : 's'}`) },
  'cgroup.pidsLimit': { label: 'Process limit (pids)', format: limit((n) => `${n} processes`) },
  'cgroup.cpusetCpus': { label: 'CPUs it may run on', format: (v) => (v === null ? 'all' : list(v)) },
  'mounts.runtimeWritable': { label: "Writable runtime mounts", format: list },
  'network.mode': { label: 'Network', format: list },
  ports: { label: 'Published ports', format: list },
  devices: { label: 'Host devices', format: list },
  deviceCgroupRules: { label: 'Device cgroup rules', format: list },
};

for (const kind of NAMESPACE_KINDS) {
  TEXTS[`namespaces.${kind}.sharedWithHost`] = { label: `Shares the host's ${NAMESPACE_WORDS[kind]} namespace`, format: yesNo };
  TEXTS[`namespaces.${kind}.mode`] = { label: `${NAMESPACE_WORDS[kind][0]!.toUpperCase()}${NAMESPACE_WORDS[kind].slice(1)} namespace mode`, format: (v) => (v === '' ? 'engine default' : list(v)) };
}

/** The label and formatter of a fact path; mounts are "Mount at /data", anything unlisted falls back to the path itself. */
export function factText(fact: string): FactText {
  const known = TEXTS[fact];
  if (known) return known;
  const mount = /^mounts\[(.*)\]$/.exec(fact);
  if (mount) return { label: `Mount at ${mount[1]}`, format: (v) => (v === null ? 'not mounted' : list(v)) };
  return { label: fact, format: list };
}

/** The group headings of the diff table. */
export const GROUP_LABELS: Record<string, string> = {
  identity: 'Identity',
  runtime: 'Runtime',
  user: 'User',
  namespaces: 'Namespaces',
  capabilities: 'Capabilities',
  'seccomp-lsm': 'Seccomp and LSM',
  resources: 'Limits',
  mounts: 'Mounts',
  network: 'Network',
  devices: 'Devices',
};
