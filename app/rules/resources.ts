// Resource rules: memory, CPU and PID limits (from cgroupfs), and whether the container sits in its own cgroup (CIS 5.25).
import type { ContainerIsolation } from '../model/schema.js';
import { evidenceOf, hasGap, type ContainerRule } from './rule.js';

/** A limit the schema reports as null = unlimited fires only when no gap says the value could not be read. */
function unlimited(c: ContainerIsolation, key: 'memoryLimitBytes' | 'cpuQuotaCores' | 'pidsLimit') {
  if (c.cgroup[key] !== null || hasGap(c, `cgroup.${key}`)) return null;
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
  dockerBench: 'Same verdict: docker-bench reads HostConfig.Memory, Isolens the memory limit in cgroupfs (memory.max / memory.limit_in_bytes).',
  check: (c) => unlimited(c, 'memoryLimitBytes'),
};

export const cpuUnlimited: ContainerRule = {
  id: 'resources/cpu-unlimited',
  title: 'No CPU limit',
  severity: 'low',
  family: 'resources',
  rationale:
    'No CPU quota caps the container, so it can take every core and starve other containers and the host\'s own services. Crypto-mining after a compromise is the usual abuse.',
  cis: '5.12',
  attack: ['T1496', 'T1499'],
  remediation: { text: 'Cap the CPU the container may use.', dockerRun: '--cpus 1.5', compose: 'cpus: 1.5' },
  dockerBench:
    'docker-bench passes a container with --cpu-shares or --cpus and warns on one limited only by --cpu-quota; Isolens reads the CFS quota in cgroupfs (so --cpus and --cpu-quota both pass) but the document has no CPU shares yet, so a container with only --cpu-shares passes docker-bench and fails here.',
  check: (c) => unlimited(c, 'cpuQuotaCores'),
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
    'docker-bench reads HostConfig.PidsLimit; Isolens reads pids.max, so a daemon-wide default-pids-limit counts as a limit (docker-bench warns) and a limit the kernel did not apply does not.',
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

export const RESOURCE_RULES: readonly ContainerRule[] = [memoryUnlimited, cpuUnlimited, pidsUnlimited, customCgroup];
