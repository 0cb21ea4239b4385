// Mount rules: engine sockets, sensitive host paths (read-write vs read-only), writable kernel filesystems, propagation, root filesystem.
import { mountedEngineSocket } from '../model/sensitive.js';
import type { ContainerIsolation, Mount } from '../model/schema.js';
import { evidenceOf, fired, type ContainerRule } from './rule.js';

const mountFact = (m: Mount, field: string) => `mounts[${m.destination}].${field}`;

/** The engine socket a mount exposes, by its host path or by where it lands (a proxy socket mounted at /var/run/docker.sock). */
function socketOf(m: Mount): string | null {
  if (m.origin !== 'engine' || m.type === 'volume' || m.type === 'tmpfs') return null;
  return mountedEngineSocket(m);
}

/** Declared host paths that expose the host; socket mounts are left to the socket rule so one mount is not counted twice. */
const sensitiveMounts = (c: ContainerIsolation) => c.mounts.filter((m) => m.origin === 'engine' && m.sensitive && socketOf(m) === null);

function mountEvidence(c: ContainerIsolation, m: Mount) {
  return [
    evidenceOf(c, mountFact(m, 'source'), m.source),
    evidenceOf(c, mountFact(m, 'readOnly'), m.readOnly),
    ...(m.sensitiveReason ? [evidenceOf(c, mountFact(m, 'sensitiveReason'), m.sensitiveReason)] : []),
  ];
}

export const engineSocket: ContainerRule = {
  id: 'mounts/engine-socket',
  title: 'A container engine\'s API socket is mounted',
  severity: 'critical',
  family: 'mounts',
  rationale:
    'Whoever can talk to the engine socket can start a privileged container with the host\'s root filesystem mounted, which is root on the host. A read-only bind mount does not help: connecting to a socket is not a write.',
  cis: '5.32',
  attack: ['T1611', 'T1610', 'T1609'],
  remediation: {
    text: 'Do not mount the socket. If a tool must talk to the engine, put an authorising proxy in front of it that allows only the calls it needs.',
    dockerRun: 'remove -v /var/run/docker.sock:/var/run/docker.sock',
    compose: 'remove the docker.sock entry from volumes:',
  },
  dockerBench:
    'docker-bench greps the Mounts list for "docker.sock"; Isolens also recognises the containerd, Podman, CRI-O, dockershim and cri-dockerd sockets and a mount of the whole /run or /var/run directory that holds them.',
  check(c) {
    return fired(
      c.mounts.flatMap((m) => {
        const socket = socketOf(m);
        return socket === null ? [] : [...mountEvidence(c, m), evidenceOf(c, mountFact(m, 'engine'), socket)];
      }),
    );
  },
};

export const sensitiveReadWrite: ContainerRule = {
  id: 'mounts/sensitive-read-write',
  title: 'Sensitive host path mounted read-write',
  severity: 'high',
  family: 'mounts',
  rationale:
    'A host directory that controls the host (/, /etc, /proc, /sys, /dev, /boot, /usr, /lib, /root, engine data …) is mounted writable. Root in the container can plant cron jobs, change users or binaries, or write kernel settings and so take over the host.',
  cis: '5.6',
  attack: ['T1611', 'T1552'],
  remediation: {
    text: 'Do not mount the host path; mount only the specific file or subdirectory needed, read-only.',
    dockerRun: '-v /host/path/needed:/path:ro',
    compose: 'volumes: ["/host/path/needed:/path:ro"]',
  },
  dockerBench:
    'docker-bench checks only /, /boot, /dev, /etc, /lib, /proc, /sys and /usr, exactly (not /etc/ssh), matches the mount destination as well as the source, and ignores read-only mounts; Isolens uses the collector\'s longer list of host paths and their subtrees and reports read-only ones under mounts/sensitive-read-only.',
  check(c) {
    return fired(sensitiveMounts(c).filter((m) => m.readOnly === false).flatMap((m) => mountEvidence(c, m)));
  },
};

export const sensitiveReadOnly: ContainerRule = {
  id: 'mounts/sensitive-read-only',
  title: 'Sensitive host path mounted (not writable)',
  severity: 'medium',
  family: 'mounts',
  rationale:
    'A host directory that holds secrets or host state is visible to the container even though it cannot write to it. It leaks credentials, keys and configuration an attacker uses for the next step.',
  cis: '5.6',
  attack: ['T1552', 'T1613'],
  remediation: {
    text: 'Mount only the specific file or subdirectory the workload needs.',
    dockerRun: '-v /host/path/needed:/path:ro',
    compose: 'volumes: ["/host/path/needed:/path:ro"]',
  },
  dockerBench: 'docker-bench does not warn on read-only mounts of sensitive paths (CIS 5.6 covers them, "especially" read-write).',
  check(c) {
    // readOnly null (not established) lands here rather than in the read-write rule: the mount itself is a fact.
    return fired(sensitiveMounts(c).filter((m) => m.readOnly !== false).flatMap((m) => mountEvidence(c, m)));
  },
};

/** Runtime mounts that the engine makes read-only for a reason: writable, they let a container change the host kernel's state. */
function writableKernelMount(m: Mount): boolean {
  if (m.origin !== 'runtime' || m.readOnly !== false) return false;
  if (m.destination === '/sys' || m.destination === '/proc/sys') return true;
  // On cgroup v1 /sys/fs/cgroup is a harmless writable tmpfs holding read-only cgroup mounts; a writable cgroupfs itself is not.
  return m.destination.startsWith('/sys/fs/cgroup') && (m.type === 'cgroup' || m.type === 'cgroup2');
}

export const writableKernelFilesystem: ContainerRule = {
  id: 'mounts/writable-kernel-filesystem',
  title: '/sys, /proc/sys or cgroupfs is writable',
  severity: 'high',
  family: 'mounts',
  rationale:
    'The engine normally mounts /sys, /proc/sys and the cgroup filesystem read-only. Writable, they let root in the container change kernel parameters for the whole host or use cgroup release_agent to run a program on the host.',
  cis: null,
  attack: ['T1611', 'T1068'],
  remediation: {
    text: 'Remove --privileged and any explicit read-write remount of these paths.',
    dockerRun: 'remove --privileged',
    compose: 'remove privileged: true',
  },
  dockerBench: null,
  check(c) {
    return fired(c.mounts.filter(writableKernelMount).flatMap((m) => [evidenceOf(c, mountFact(m, 'readOnly'), false), evidenceOf(c, mountFact(m, 'type'), m.type)]));
  },
};

export const sharedPropagation: ContainerRule = {
  id: 'mounts/shared-propagation',
  title: 'Mount with shared propagation',
  severity: 'medium',
  family: 'mounts',
  rationale:
    'A shared mount propagates mount events both ways: what the container mounts under it appears on the host and in other containers. A container that can mount (CAP_SYS_ADMIN) can then shadow host paths.',
  cis: '5.20',
  attack: ['T1611'],
  remediation: {
    text: 'Use private (the default) or slave propagation.',
    dockerRun: '-v /host/path:/path:rprivate',
    compose: 'volumes: [{ type: bind, source: /host/path, target: /path, bind: { propagation: rprivate } }]',
  },
  dockerBench:
    'docker-bench greps the configured Propagation; Isolens reads the propagation flags in /proc/PID/mountinfo, so it also sees shared mounts inherited from a shared host mount that the configuration does not mention.',
  check(c) {
    return fired(
      c.mounts
        .filter((m) => m.propagation === 'shared' || m.propagation === 'shared+slave')
        .flatMap((m) => [evidenceOf(c, mountFact(m, 'propagation'), m.propagation), evidenceOf(c, mountFact(m, 'source'), m.source)]),
    );
  },
};

export const writableRootFilesystem: ContainerRule = {
  id: 'mounts/writable-root-filesystem',
  title: 'Root filesystem is writable',
  severity: 'low',
  family: 'mounts',
  rationale:
    'An attacker can change binaries and configuration inside the container and keep tools there. A read-only root filesystem with explicit writable volumes or tmpfs makes tampering visible and short-lived.',
  cis: '5.13',
  attack: ['T1610', 'T1105'],
  remediation: {
    text: 'Run with a read-only root filesystem and mount tmpfs or volumes only where the workload writes.',
    dockerRun: '--read-only --tmpfs /tmp',
    compose: 'read_only: true\ntmpfs: [/tmp]',
  },
  dockerBench: 'Same verdict: docker-bench reads HostConfig.ReadonlyRootfs, Isolens the ro flag of / in /proc/PID/mountinfo.',
  check(c) {
    if (c.readOnlyRootfs !== false) return null;
    return [evidenceOf(c, 'readOnlyRootfs', false)];
  },
};

export const MOUNT_RULES: readonly ContainerRule[] = [
  engineSocket,
  sensitiveReadWrite,
  sensitiveReadOnly,
  writableKernelFilesystem,
  sharedPropagation,
  writableRootFilesystem,
];
