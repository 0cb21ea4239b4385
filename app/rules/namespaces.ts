// Namespace rules: the host's pid, net, ipc, uts, user and cgroup namespaces shared with a container, and root without a user namespace.
import type { ContainerIsolation, NamespaceKind } from '../model/schema.js';
import { evidenceOf, type ContainerRule, type RuleMeta } from './rule.js';
import { hasHostBindMount } from './runtime.js';
import { capabilityScope } from '../model/runtime.js';

function namespaceEvidence(c: ContainerIsolation, kind: NamespaceKind) {
  const namespace = c.namespaces[kind];
  const evidence = [evidenceOf(c, `namespaces.${kind}.sharedWithHost`, true)];
  if (namespace.inode !== null) evidence.push(evidenceOf(c, `namespaces.${kind}.inode`, namespace.inode));
  // The mode is what the engine was asked for: config, whatever the namespace's own source.
  if (namespace.mode !== null) evidence.push({ fact: `namespaces.${kind}.mode`, value: namespace.mode, source: 'config' });
  return evidence;
}

/** A rule that fires when the kernel (or, failing that, the config) says the container shares this host namespace. */
function hostNamespaceRule(kind: NamespaceKind, meta: Omit<RuleMeta, 'family'>, extra?: (c: ContainerIsolation) => boolean): ContainerRule {
  return {
    ...meta,
    family: 'namespaces',
    check(c) {
      if (c.namespaces[kind].sharedWithHost !== true) return null;
      if (extra && !extra(c)) return null;
      return namespaceEvidence(c, kind);
    },
  };
}

const viaContainer = (flag: string) =>
  `docker-bench reads HostConfig.${flag} only; Isolens compares the namespace inode with the host's, so it also catches a container that joined another container's namespace (--${flag === 'NetworkMode' ? 'network' : flag.replace('Mode', '').toLowerCase()} container:X) when X uses the host's.`;

export const hostPid = hostNamespaceRule('pid', {
  id: 'namespaces/host-pid',
  title: 'Shares the host\'s PID namespace',
  severity: 'high',
  rationale:
    'The container sees every process on the host, their command lines and environment in /proc. With CAP_SYS_PTRACE or the same uid it can signal, trace or inject code into host processes.',
  cis: '5.16',
  attack: ['T1611', 'T1613', 'T1552'],
  remediation: { text: 'Give the container its own PID namespace (the engine default).', dockerRun: 'remove --pid host', compose: 'remove pid: host' },
  dockerBench: viaContainer('PidMode'),
});

export const hostNet = hostNamespaceRule('net', {
  id: 'namespaces/host-net',
  title: 'Shares the host\'s network namespace',
  severity: 'high',
  rationale:
    'The container uses the host\'s interfaces and can bind any host port, reach services listening on the host\'s loopback and, with CAP_NET_RAW or CAP_NET_ADMIN, sniff or reconfigure host traffic. Network isolation and the port mapping review do not apply to it.',
  cis: '5.10',
  attack: ['T1611', 'T1557', 'T1046'],
  remediation: { text: 'Use a bridge or user-defined network and publish only the ports needed.', dockerRun: '--network bridge -p 127.0.0.1:8080:80', compose: 'remove network_mode: host; use ports: ["127.0.0.1:8080:80"]' },
  dockerBench: viaContainer('NetworkMode'),
});

export const hostIpc = hostNamespaceRule('ipc', {
  id: 'namespaces/host-ipc',
  title: 'Shares the host\'s IPC namespace',
  severity: 'high',
  rationale:
    'The container can read and write the host\'s System V shared memory, semaphores and message queues, and /dev/shm of host processes. Data in shared memory segments of host services is exposed.',
  cis: '5.17',
  attack: ['T1611', 'T1552'],
  remediation: { text: 'Give the container a private IPC namespace (the engine default).', dockerRun: '--ipc private', compose: 'ipc: private' },
  dockerBench: viaContainer('IpcMode'),
});

export const hostUts = hostNamespaceRule('uts', {
  id: 'namespaces/host-uts',
  title: 'Shares the host\'s UTS namespace',
  severity: 'low',
  rationale:
    'The container sees the host\'s hostname and, with CAP_SYS_ADMIN, can change it for the whole host. It is a small leak on its own but breaks the assumption that the container cannot affect host identity.',
  cis: '5.21',
  attack: ['T1613'],
  remediation: { text: 'Give the container its own UTS namespace (the engine default).', dockerRun: 'remove --uts host', compose: 'remove uts: host' },
  dockerBench: 'docker-bench reads HostConfig.UTSMode; Isolens compares the namespace inode with the host\'s and agrees wherever the configuration is honoured.',
});

export const hostUser = hostNamespaceRule(
  'user',
  {
    id: 'namespaces/host-user',
    title: 'Opted out of user namespace isolation (--userns host)',
    severity: 'medium',
    rationale:
      'The container was started with --userns host, so root in the container is root on the host even where the engine remaps users for other containers. Any escape lands with full host privileges.',
    cis: '5.31',
    attack: ['T1611', 'T1068'],
    remediation: { text: 'Remove the opt-out so the engine\'s user namespace remapping applies.', dockerRun: 'remove --userns host', compose: 'remove userns_mode: host' },
    dockerBench:
      'Same verdict: both fire on UsernsMode host; Isolens also requires the kernel to show the host\'s user namespace. Containers that share it only because the engine has no userns-remap are reported by host/no-userns-remap and namespaces/root-in-host-userns instead.',
  },
  (c) => c.namespaces.user.mode === 'host',
);

export const hostCgroupV2 = hostNamespaceRule(
  'cgroup',
  {
    id: 'namespaces/host-cgroup',
    title: 'Shares the host\'s cgroup namespace on cgroup v2',
    severity: 'medium',
    rationale:
      'On cgroup v2 the engine gives each container a private cgroup namespace by default; this container sees the host\'s whole cgroup tree and its own path in it. Paired with a writable cgroupfs it is a known escape route (release_agent, device controller).',
    cis: null,
    attack: ['T1611', 'T1613'],
    remediation: { text: 'Use a private cgroup namespace.', dockerRun: '--cgroupns private', compose: 'cgroup: private' },
    dockerBench: null,
  },
  // On cgroup v1 every container shares it (no choice), so only v2 is a decision worth reporting.
  (c) => c.cgroup.version === 2,
);

export const rootInHostUserns: ContainerRule = {
  id: 'namespaces/root-in-host-userns',
  title: 'Runs as root with no private user namespace',
  severity: 'low',
  family: 'namespaces',
  rationale:
    'The main process runs as uid 0 and the container shares the host\'s user namespace, so it is the host\'s root user, held back only by capabilities, seccomp and the LSM. Any escape or writable host mount is used with root\'s rights. It stays quiet for root with no capabilities at all (--cap-drop ALL), no host bind mount and its own PID namespace, where uid 0 owns nothing of the host\'s and can signal nothing of it.',
  cis: '4.1',
  attack: ['T1611', 'T1068'],
  remediation: {
    text: 'Run as an unprivileged user (USER in the Dockerfile or at run time), or enable userns-remap / rootless mode on the engine.',
    dockerRun: '--user 1000:1000',
    compose: 'user: "1000:1000"',
  },
  dockerBench: 'docker-bench 4.1 reads Config.User; Isolens reads the uid the kernel shows for the main process and does not fire when a user namespace maps root to an unprivileged host uid.',
  check(c) {
    if (c.user.uid !== 0 || c.user.userns !== 'host') return null;
    // Under gVisor or Kata uid 0 is root of the sandbox's kernel; only a host bind mount (served by the runtime as host root) is the host's.
    if (capabilityScope(c) === 'sandbox' && !hasHostBindMount(c)) return null;
    const powerless = c.capabilities?.bounding.length === 0 && c.capabilities.effective.length === 0;
    if (powerless && !hasHostBindMount(c) && c.namespaces.pid.sharedWithHost === false) return null;
    return [evidenceOf(c, 'user.uid', 0), evidenceOf(c, 'user.userns', 'host'), { fact: 'user.configured', value: c.user.configured, source: 'config' }];
  },
};

export const NAMESPACE_RULES: readonly ContainerRule[] = [hostPid, hostNet, hostIpc, hostUts, hostUser, hostCgroupV2, rootInHostUserns];
