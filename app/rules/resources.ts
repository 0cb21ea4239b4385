// Resource rules: memory, CPU and PID limits (from cgroupfs), and whether the container sits in its own cgroup (CIS 5.25).
import type { ContainerIsolation } from '../model/schema.js';
import { appliedLimit, limitUnknown, type LimitKey } from '../model/limits.js';
import { evidenceOf, type ContainerRule } from './rule.js';

/**
 * A limit the schema reports as null = unlimited fires only when no gap says the value could not be read, and only
 * when no ancestor cgroup limits the container either (a parent slice or --cgroup-parent caps the whole subtree).
 */
function unlimited(c: ContainerIsolation, key: LimitKey) {
  if (appliedLimit(c, key).value !== null || limitUnknown(c, key)) return null;
  return [evidenceOf(c, `cgroup.${key}`, null)];
}

export const memoryUnlimited: ContainerRule = {
  id: 'resources/memory-unlimited',
  title: 'No memory limit',
  severity: 'medium',
  family: 'resources',
  rationale:
    'The container can use all the host\'s memory. A leak, a fork of many workers or an attacker can push the host into the OOM killer, which then kills other containers or host services.',
  cis: '5.11',
  attack: ['T1499', 'T1496'],
  remediation: { text: 'Set a memory limit sized to the workload.', dockerRun: '--memory 512m', compose: 'mem_limit: 512m' },
  dockerBench:
    'Same verdict for a container in the engine\'s default cgroup: docker-bench reads HostConfig.Memory, Isolens the memory limit in cgroupfs (memory.max / memory.limit_in_bytes) of the container and its ancestors, so under a limited parent (--cgroup-parent) docker-bench warns and Isolens does not.',
  check: (c) => unlimited(c, 'memoryLimitBytes'),
};

/**
 * Whether a CPU priority other than the kernel's default is set: cpu.shares ≠ 1024 (v1) or cpu.weight ≠ 100 (v2).
 * null when neither could be read.
 */
export function cpuPriorityIsSet(c: ContainerIsolation): boolean | null {
  const { cpuShares, cpuWeight } = c.cgroup;
  if (cpuShares !== null) return cpuShares !== 1024;
  if (cpuWeight !== null) return cpuWeight !== 100;
  return null;
}

function cpuPriorityEvidence(c: ContainerIsolation) {
  return c.cgroup.cpuShares !== null ? evidenceOf(c, 'cgroup.cpuShares', c.cgroup.cpuShares) : evidenceOf(c, 'cgroup.cpuWeight', c.cgroup.cpuWeight);
}

export const cpuUnlimited: ContainerRule = {
  id: 'resources/cpu-unlimited',
  title: 'No CPU limit or priority',
  severity: 'low',
  family: 'resources',
  rationale:
    'Neither a CPU quota nor a CPU priority is set, so the container competes for every core on equal terms with the host\'s own services and can take all of them. Crypto-mining after a compromise is the usual abuse.',
  cis: '5.12',
  attack: ['T1496', 'T1499'],
  remediation: { text: 'Cap the CPU the container may use (or at least give it a lower priority).', dockerRun: '--cpus 1.5', compose: 'cpus: 1.5' },
  dockerBench:
    'Same verdict: docker-bench warns when HostConfig.CpuShares and NanoCpus are both unset; Isolens reads the CFS quota and cpu.shares / cpu.weight in cgroupfs, so --cpu-quota alone also counts as a limit (docker-bench misses it).',
  check: (c) => {
    const quota = unlimited(c, 'cpuQuotaCores');
    if (!quota || cpuPriorityIsSet(c) === true) return null;
    return cpuPriorityIsSet(c) === null ? quota : [...quota, cpuPriorityEvidence(c)];
  },
};

export const cpuWeightOnly: ContainerRule = {
  id: 'resources/cpu-weight-only',
  title: 'CPU weighted but not capped',
  severity: 'low',
  family: 'resources',
  rationale:
    'A CPU priority (shares or weight) only matters while cores are contended; with no quota the container still takes every idle core. That satisfies CIS 5.12, but a runaway or mining process is not stopped.',
  cis: null,
  attack: ['T1496'],
  remediation: { text: 'Add a CPU quota next to the priority.', dockerRun: '--cpus 1.5', compose: 'cpus: 1.5' },
  dockerBench: 'Beyond CIS: docker-bench passes 5.12 on --cpu-shares alone, as Isolens does; this rule adds that the CPU is still uncapped.',
  check: (c) => {
    const quota = unlimited(c, 'cpuQuotaCores');
    if (!quota || cpuPriorityIsSet(c) !== true) return null;
    return [...quota, cpuPriorityEvidence(c)];
  },
};

export const pidsUnlimited: ContainerRule = {
  id: 'resources/pids-unlimited',
  title: 'No PID limit',
  severity: 'medium',
  family: 'resources',
  rationale:
    'Without a PID limit a fork bomb in the container exhausts the host\'s process table, and nothing new can start anywhere on the host. It is the cheapest denial of service a compromised container can run.',
  cis: '5.29',
  attack: ['T1499'],
  remediation: { text: 'Limit the number of processes.', dockerRun: '--pids-limit 100', compose: 'pids_limit: 100' },
  dockerBench:
    'docker-bench reads HostConfig.PidsLimit; Isolens reads pids.max of the container and its ancestors, so a daemon-wide default-pids-limit or a limited parent cgroup counts as a limit (docker-bench warns) and a limit the kernel did not apply does not.',
  check: (c) => unlimited(c, 'pidsLimit'),
};

/** The engine's default cgroup parent for a container id: cgroupfs /docker/<id>, systemd docker-<id>.scope, Podman libpod-<id>. */
export function inDefaultCgroup(path: string, id: string): boolean {
  const parts = path.split('/').filter((part) => part !== '');
  // Podman puts the main process one level below the container's cgroup ("…/libpod-<id>.scope/container").
  if (parts.at(-1) === 'container') parts.pop();
  const leaf = parts.at(-1) ?? '';
  const parent = parts.slice(0, -1).join('/');
  if (leaf === id) return parent === 'docker' || parent.endsWith('/docker') || parent === 'libpod_parent';
  if (leaf === `docker-${id}.scope`) return parent === 'system.slice' || /(^|\/)user@\d+\.service(\/|$)/.test(parent);
  if (leaf === `libpod-${id}.scope` || leaf === `libpod-${id}`) {
    return parent === 'machine.slice' || parent === 'libpod_parent' || /(^|\/)user@\d+\.service(\/|$)/.test(parent);
  }
  return false;
}

export const customCgroup: ContainerRule = {
  id: 'resources/custom-cgroup',
  title: 'Not in the engine\'s default cgroup for containers',
  severity: 'low',
  family: 'resources',
  rationale:
    'The container\'s processes are not in the cgroup the engine creates for it under its usual parent (--cgroup-parent was used, or the process is in another cgroup). Limits and accounting then depend on a parent cgroup the engine does not manage; confirm that is intended.',
  cis: '5.25',
  attack: ['T1499'],
  remediation: {
    text: 'Use the engine\'s default cgroup parent unless a reviewed parent is required.',
    dockerRun: 'remove --cgroup-parent',
    compose: 'remove cgroup_parent:',
  },
  dockerBench:
    'docker-bench warns when HostConfig.CgroupParent is set; Isolens reads the cgroup the kernel shows for the main process, which also catches a process moved out of the container\'s cgroup, and judges the parent against the engine and cgroup driver in use.',
  check(c) {
    if (c.cgroup.path === null) return null;
    if (inDefaultCgroup(c.cgroup.path, c.id)) return null;
    return [evidenceOf(c, 'cgroup.path', c.cgroup.path)];
  },
};

export const RESOURCE_RULES: readonly ContainerRule[] = [memoryUnlimited, cpuUnlimited, cpuWeightOnly, pidsUnlimited, customCgroup];
