// Mount rules: engine sockets, sensitive host paths (read-write vs read-only), writable kernel filesystems, propagation, root filesystem.
import { givesHostRootIfWritable, mountedEngineSocket } from '../model/sensitive.js';
import type { ContainerIsolation, Mount } from '../model/schema.js';
import { evidenceOf, fired, type ContainerRule, type RuleHit, type RuleRemediation } from './rule.js';

const mountFact = (m: Mount, field: string) => `mounts[${m.destination}].${field}`;

/** The engine socket a mount exposes, by its host path or by where it lands (a proxy socket mounted at /var/run/docker.sock). */
function socketOf(m: Mount): string | null {
  if (m.origin !== 'engine' || m.type === 'volume' || m.type === 'tmpfs') return null;
  return mountedEngineSocket(m);
}

/** Declared host paths that expose the host; socket mounts are left to the socket rule so one mount is not counted twice. */
const sensitiveMounts = (c: ContainerIsolation) => c.mounts.filter((m) => m.origin === 'engine' && m.sensitive && socketOf(m) === null);

/** The mount as `docker run -v` spells it, with the destination the container really uses. */
function volumeSpec(m: Mount, readOnly = m.readOnly === true): string {
  return `${m.source}:${m.destination}${readOnly ? ':ro' : ''}`;
}

/** The exact fix for one mount: take it out, or keep it read-only. */
function removeMount(m: Mount, text: string): RuleRemediation {
  return { text, dockerRun: `remove -v ${volumeSpec(m)}`, compose: `remove ${JSON.stringify(volumeSpec(m))} from volumes:` };
}
function mountReadOnly(m: Mount, text: string): RuleRemediation {
  return { text, dockerRun: `-v ${volumeSpec(m, true)}`, compose: `volumes: [${JSON.stringify(volumeSpec(m, true))}]` };
}

/** One hit per mount: the finding names the mount and carries the fix for exactly that mount. */
function perMount(c: ContainerIsolation, mounts: readonly Mount[], evidence: (m: Mount) => RuleHit['evidence'], remediation: (m: Mount) => RuleRemediation): RuleHit[] | null {
  const hits = mounts.map((m) => ({ evidence: evidence(m), subject: `${m.source} → ${m.destination}`, remediation: remediation(m) }));
  return hits.length > 0 ? hits : null;
}

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
    return perMount(
      c,
      c.mounts.filter((m) => socketOf(m) !== null),
      (m) => [...mountEvidence(c, m), evidenceOf(c, mountFact(m, 'engine'), socketOf(m))],
      (m) => removeMount(m, `Remove the mount of ${m.source}. If a tool must talk to the engine, put an authorising proxy in front of the socket that allows only the calls it needs.`),
    );
  },
};

const writableHostRoot = (m: Mount) => m.readOnly === false && m.type === 'bind' && givesHostRootIfWritable(m.source);

export const hostRootReadWrite: ContainerRule = {
  id: 'mounts/host-root-read-write',
  title: 'Host path that gives root on the host mounted read-write',
  severity: 'critical',
  family: 'mounts',
  rationale:
    'A host directory that root on the host depends on (/, /etc, /root, /boot, /usr, /var/lib/docker, /proc, /sys, /dev …) is mounted writable. Root in the container is one write away from root on the host: a line in the host\'s /etc/shadow or a cron job, a replaced binary, a kernel parameter, another container\'s filesystem.',
  cis: '5.6',
  attack: ['T1611', 'T1053.003', 'T1098'],
  remediation: {
    text: 'Remove the mount; if the workload only reads it, mount the one file or directory it needs read-only.',
    dockerRun: 'remove -v /host/path:/path',
    compose: 'remove the entry from volumes:',
  },
  dockerBench:
    'docker-bench 5.6 checks /, /boot, /dev, /etc, /lib, /proc, /sys and /usr exactly, read-write only, and matches the destination too; Isolens splits the writable ones by what they give: host root one step away here (critical), the rest under mounts/sensitive-read-write (high).',
  check(c) {
    return perMount(
      c,
      sensitiveMounts(c).filter(writableHostRoot),
      (m) => mountEvidence(c, m),
      (m) => removeMount(m, `Remove the mount of the host's ${m.source}. If the workload only reads from it, mount the one file or directory it needs with :ro (-v ${m.source}/<needed>:${m.destination}:ro); read-only still exposes its secrets.`),
    );
  },
};

export const sensitiveReadWrite: ContainerRule = {
  id: 'mounts/sensitive-read-write',
  title: 'Sensitive host path mounted read-write',
  severity: 'high',
  family: 'mounts',
  rationale:
    'A host directory with host data or state (/home, /usr/share, /etc/ssl, /var/lib/kubelet …) is mounted writable. Root in the container can read and change what host users and services rely on: keys, certificates, shared data. Paths that put host root one step away are reported as mounts/host-root-read-write instead.',
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
    return perMount(
      c,
      sensitiveMounts(c).filter((m) => m.readOnly === false && !writableHostRoot(m)),
      (m) => mountEvidence(c, m),
      (m) => mountReadOnly(m, `Add :ro to the mount of ${m.source} (or remove it), and narrow it to the one file or directory the workload needs.`),
    );
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
    return perMount(
      c,
      sensitiveMounts(c).filter((m) => m.readOnly !== false),
      (m) => mountEvidence(c, m),
      (m) => removeMount(m, `Remove the mount of ${m.source}, or mount only the file or directory under it the workload needs (-v ${m.source}/<needed>:${m.destination}:ro).`),
    );
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
  severity: 'critical',
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
  hostRootReadWrite,
  sensitiveReadWrite,
  sensitiveReadOnly,
  writableKernelFilesystem,
  sharedPropagation,
  writableRootFilesystem,
];
