// Dev-only IsolensApi backed by a hand-written snapshot and synthetic 1 Hz stats (`?fixture=1` under `vite` dev). Never in production builds.
import type { ApiEvent, IsolensApi } from '../../app/api.js';
import { defaultCapabilities } from '../../app/model/capabilities.js';
import type { EngineState, LiveStats } from '../../app/model/live.js';
import type { ContainerIsolation, EngineInfo, Finding, Grade, Namespaces, Snapshot } from '../../app/model/schema.js';

export interface FixtureOptions {
  /** Extra generated containers, to exercise virtualization (e.g. 1000). */
  generatedRows: number;
  /** Start with the engine unreachable; a retry reconnects after a moment. */
  engineUnreachable: boolean;
  /** No containers at all. */
  empty: boolean;
  /** Never answer getSnapshot, to show the loading state. */
  loading: boolean;
}

export function fixtureOptionsFromSearch(search: string): FixtureOptions {
  const params = new URLSearchParams(search);
  return {
    generatedRows: Math.min(5000, Math.max(0, Number(params.get('rows') ?? 0) || 0)),
    engineUnreachable: params.get('engine') === 'unreachable',
    empty: params.has('empty'),
    loading: params.has('loading'),
  };
}

// Deterministic pseudo-random numbers so screenshots are comparable between runs.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hexId(random: () => number): string {
  let id = '';
  while (id.length < 64) id += Math.floor(random() * 16).toString(16);
  return id;
}

const MiB = 1024 * 1024;

const engine: EngineInfo = {
  kind: 'docker',
  endpoint: 'unix:///var/run/docker.sock',
  endpointSource: 'default socket',
  tls: false,
  local: true,
  name: 'build-host-07',
  version: '20.10.24',
  apiVersion: '1.41',
  os: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0-26-amd64',
  rootless: false,
  cgroupVersion: 1,
  cgroupDriver: 'cgroupfs',
  userNamespaceRemap: false,
  securityOptions: ['name=seccomp,profile=default'],
  liveRestore: false,
  defaultRuntime: 'runc',
  iccOnDefaultBridge: true,
};

function finding(partial: Omit<Finding, 'family' | 'attack' | 'cis'> & Partial<Pick<Finding, 'family' | 'attack' | 'cis'>>): Finding {
  return { family: partial.ruleId.split('.')[0] ?? 'other', attack: [], cis: null, ...partial };
}

const hostFindings: Finding[] = [
  finding({
    ruleId: 'host.userns-remap-off', title: 'User namespace remapping is off', severity: 'medium', cis: '2.10', attack: ['T1611'],
    rationale: 'Without userns-remap, uid 0 in a container is uid 0 on the host. Any escape lands as the host\'s root.',
    evidence: [{ fact: 'engine.userNamespaceRemap', value: false, source: 'config' }],
    remediation: { text: 'Enable user namespace remapping in the daemon configuration and restart the engine.', dockerRun: null, compose: null },
  }),
  finding({
    ruleId: 'host.rootful', title: 'The engine runs as root', severity: 'medium', attack: ['T1611'],
    rationale: 'A rootful engine gives whoever controls it, or escapes a container, the host\'s root. Rootless mode confines the engine to an unprivileged user.',
    evidence: [{ fact: 'engine.rootless', value: false, source: 'config' }],
    remediation: { text: 'Run the engine in rootless mode (dockerd-rootless-setuptool.sh install).', dockerRun: null, compose: null },
  }),
  finding({
    ruleId: 'host.no-apparmor', title: 'No AppArmor or SELinux confinement is available', severity: 'medium', cis: null,
    rationale: 'The engine offers no LSM profile, so containers run without mandatory access control. Seccomp is the only kernel-side filter left.',
    evidence: [{ fact: 'engine.securityOptions', value: ['name=seccomp,profile=default'], source: 'config' }],
    remediation: { text: 'Enable AppArmor in the kernel (apparmor=1 security=apparmor) and install the apparmor package.', dockerRun: null, compose: null },
  }),
  finding({
    ruleId: 'host.icc-default-bridge', title: 'Containers on the default bridge can talk to each other', severity: 'low', cis: '2.2', attack: ['T1210'],
    rationale: 'Inter-container communication is on for docker0, so one compromised container reaches every other one on the default bridge.',
    evidence: [{ fact: 'engine.iccOnDefaultBridge', value: true, source: 'config' }],
    remediation: { text: 'Set "icc": false in /etc/docker/daemon.json and use user-defined networks.', dockerRun: null, compose: null },
  }),
  finding({
    ruleId: 'host.live-restore-off', title: 'Live restore is off', severity: 'low', cis: '2.15',
    rationale: 'Containers stop when the engine restarts, which pushes operators to delay engine security updates.',
    evidence: [{ fact: 'engine.liveRestore', value: false, source: 'config' }],
    remediation: { text: 'Set "live-restore": true in /etc/docker/daemon.json.', dockerRun: null, compose: null },
  }),
];

function namespaces(shared: Partial<Record<keyof Namespaces, boolean>>, random: () => number, permissionLimited: (keyof Namespaces)[] = []): Namespaces {
  const base = 4026531835;
  const hostInode: Record<keyof Namespaces, number> = { pid: base + 1, net: base + 5, ipc: base + 4, uts: base + 3, mnt: base + 2, user: base + 0, cgroup: base + 6, time: base + 7 };
  // Docker 20.10 on cgroup v1 never creates user, cgroup or time namespaces by default.
  const defaultShared: Record<keyof Namespaces, boolean> = { pid: false, net: false, ipc: false, uts: false, mnt: false, user: true, cgroup: true, time: true };
  const out = {} as Namespaces;
  for (const kind of Object.keys(hostInode) as (keyof Namespaces)[]) {
    const isShared = shared[kind] ?? defaultShared[kind];
    if (permissionLimited.includes(kind)) {
      out[kind] = { inode: null, sharedWithHost: isShared, source: 'config', mode: isShared ? 'host' : '' };
      continue;
    }
    out[kind] = {
      inode: isShared ? hostInode[kind] : 4026532000 + Math.floor(random() * 900),
      sharedWithHost: isShared,
      source: 'kernel',
      mode: shared[kind] === true ? 'host' : kind === 'ipc' ? 'private' : '',
    };
  }
  return out;
}

const runtimeMounts: ContainerIsolation['mounts'] = [
  { type: 'overlay', source: 'overlay', destination: '/', readOnly: false, propagation: 'private', sensitive: false, sensitiveReason: null, origin: 'runtime' },
  { type: 'proc', source: 'proc', destination: '/proc', readOnly: false, propagation: 'private', sensitive: false, sensitiveReason: null, origin: 'runtime' },
  { type: 'sysfs', source: 'sysfs', destination: '/sys', readOnly: true, propagation: 'private', sensitive: false, sensitiveReason: null, origin: 'runtime' },
  { type: 'bind', source: '/var/lib/docker/containers/<id>/resolv.conf', destination: '/etc/resolv.conf', readOnly: false, propagation: 'private', sensitive: false, sensitiveReason: null, origin: 'engine-file' },
  { type: 'bind', source: '/var/lib/docker/containers/<id>/hostname', destination: '/etc/hostname', readOnly: false, propagation: 'private', sensitive: false, sensitiveReason: null, origin: 'engine-file' },
];

const limitFindings = {
  memory: finding({
    ruleId: 'resources.memory-unlimited', title: 'No memory limit', severity: 'medium', cis: '5.11', attack: ['T1499'],
    rationale: 'Without a memory limit one container can take all host memory and trigger the OOM killer on other workloads.',
    evidence: [{ fact: 'cgroup.memoryLimitBytes', value: null, source: 'kernel' }],
    remediation: { text: 'Set a memory limit sized to the workload.', dockerRun: '--memory 512m', compose: 'services.<name>.mem_limit: 512m' },
  }),
  cpu: finding({
    ruleId: 'resources.cpu-unlimited', title: 'No CPU limit', severity: 'low', cis: '5.12', attack: ['T1496'],
    rationale: 'An unlimited container can use every core, starving its neighbours and the engine itself.',
    evidence: [{ fact: 'cgroup.cpuQuotaCores', value: null, source: 'kernel' }],
    remediation: { text: 'Cap the CPU the container may use.', dockerRun: '--cpus 1.0', compose: 'services.<name>.cpus: 1.0' },
  }),
  pids: finding({
    ruleId: 'resources.pids-unlimited', title: 'No pids limit', severity: 'medium', cis: '5.29', attack: ['T1499'],
    rationale: 'A fork bomb inside the container exhausts the host\'s process table and takes the host down with it.',
    evidence: [{ fact: 'cgroup.pidsLimit', value: null, source: 'kernel' }],
    remediation: { text: 'Limit the number of processes.', dockerRun: '--pids-limit 200', compose: 'services.<name>.pids_limit: 200' },
  }),
  root: finding({
    ruleId: 'user.root-no-userns', title: 'Runs as root with no private user namespace', severity: 'high', cis: '5.31', attack: ['T1611'],
    rationale: 'The main process is uid 0 and the container shares the host\'s user namespace, so uid 0 inside is uid 0 on the host. Any escape is a root escape.',
    evidence: [{ fact: 'user.uid', value: 0, source: 'kernel' }, { fact: 'namespaces.user.sharedWithHost', value: true, source: 'kernel' }],
    remediation: { text: 'Run as an unprivileged user, or enable userns-remap on the engine.', dockerRun: '--user 10001:10001', compose: 'services.<name>.user: "10001:10001"' },
  }),
  readOnly: finding({
    ruleId: 'filesystem.rootfs-writable', title: 'Root filesystem is writable', severity: 'low', cis: '5.13', attack: ['T1525'],
    rationale: 'A writable root filesystem lets an intruder drop tools and persist changes to binaries inside the container.',
    evidence: [{ fact: 'readOnlyRootfs', value: false, source: 'config' }],
    remediation: { text: 'Mount the root filesystem read-only and give writable paths as tmpfs or volumes.', dockerRun: '--read-only --tmpfs /tmp', compose: 'services.<name>.read_only: true' },
  }),
  noNewPrivileges: finding({
    ruleId: 'process.no-new-privileges-off', title: 'Setuid binaries can still raise privileges', severity: 'medium', cis: '5.26', attack: ['T1548.001'],
    rationale: 'NoNewPrivs is not set, so a setuid-root binary in the image gives its caller root inside the container.',
    evidence: [{ fact: 'noNewPrivileges', value: false, source: 'kernel' }],
    remediation: { text: 'Forbid privilege gain through execve.', dockerRun: '--security-opt no-new-privileges', compose: 'services.<name>.security_opt: ["no-new-privileges:true"]' },
  }),
  portsAll: (port: number) => finding({
    ruleId: 'network.port-all-interfaces', title: `Port ${port} published on every host interface`, severity: 'low', cis: '5.14', attack: ['T1133'],
    rationale: 'The port is bound to 0.0.0.0, so it is reachable from every network the host is on, not only from the intended one.',
    evidence: [{ fact: 'ports', value: `0.0.0.0:${port}->${port}/tcp`, source: 'config' }],
    remediation: { text: 'Bind the published port to one address.', dockerRun: `-p 127.0.0.1:${port}:${port}`, compose: `services.<name>.ports: ["127.0.0.1:${port}:${port}"]` },
  }),
};

interface ContainerSeed {
  name: string;
  image: string;
  random: () => number;
}

function defaultContainer(seed: ContainerSeed, override: Partial<ContainerIsolation> = {}): ContainerIsolation {
  const id = hexId(seed.random);
  const capabilities = [...defaultCapabilities('docker')];
  return {
    id,
    name: seed.name,
    image: seed.image,
    imageId: `sha256:${hexId(seed.random)}`,
    command: ['nginx', '-g', 'daemon off;'],
    state: 'running',
    pid: 2000 + Math.floor(seed.random() * 60000),
    createdAt: '2026-11-23T07:58:12.184Z',
    startedAt: '2026-11-23T07:58:12.911Z',
    labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': seed.name },
    envNames: ['PATH', 'NGINX_VERSION'],
    privileged: false,
    readOnlyRootfs: false,
    user: { uid: 0, gid: 0, uidInContainer: 0, userns: 'host', configured: '' },
    namespaces: namespaces({}, seed.random),
    capabilities: { effective: capabilities, permitted: capabilities, bounding: capabilities, inheritable: [], ambient: [], addedVsDefault: [], droppedVsDefault: [] },
    seccomp: { mode: 'filter', profile: 'default', filters: 1 },
    noNewPrivileges: false,
    lsm: { apparmor: null, selinux: null },
    cgroup: { version: 1, path: `/docker/${id}`, memoryLimitBytes: null, cpuQuotaCores: null, cpusetCpus: null, pidsLimit: null, cpuShares: 1024, cpuWeight: null },
    mounts: runtimeMounts.map((m) => ({ ...m, source: m.source.replace('<id>', id) })),
    ports: [],
    devices: [],
    deviceCgroupRules: [],
    network: { mode: 'bridge', networks: [{ name: 'bridge', ipAddress: `172.17.0.${2 + Math.floor(seed.random() * 200)}` }] },
    restartPolicy: { name: 'no', maximumRetryCount: 0 },
    healthcheck: null,
    sources: { capabilities: 'kernel', seccomp: 'kernel', user: 'kernel', cgroup: 'kernel', mounts: 'kernel', noNewPrivileges: 'kernel', readOnlyRootfs: 'config', ports: 'config', lsm: 'kernel' },
    mismatches: [],
    gaps: [],
    findings: [limitFindings.root, limitFindings.memory, limitFindings.pids, limitFindings.noNewPrivileges, limitFindings.cpu, limitFindings.readOnly],
    score: 58,
    grade: 'C',
    ...override,
  };
}

function handWritten(random: () => number): ContainerIsolation[] {
  const hardenedCaps = ['CAP_NET_BIND_SERVICE'];
  const hardened = defaultContainer({ name: 'payments-api', image: 'registry.internal/payments-api:2.4.1', random }, {
    command: ['/app/payments-api', '--listen', ':8443'],
    labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'payments-api', 'org.opencontainers.image.revision': '9f1c2e7' },
    envNames: ['PATH', 'PAYMENTS_DB_URL', 'TLS_CERT_FILE'],
    readOnlyRootfs: true,
    user: { uid: 10001, gid: 10001, uidInContainer: 10001, userns: 'host', configured: '10001:10001' },
    capabilities: { effective: [], permitted: [], bounding: hardenedCaps, inheritable: [], ambient: [], addedVsDefault: [], droppedVsDefault: defaultCapabilities('docker').filter((c) => !hardenedCaps.includes(c)) },
    noNewPrivileges: true,
    cgroup: { version: 1, path: '/docker/payments', memoryLimitBytes: 256 * MiB, cpuQuotaCores: 0.5, cpusetCpus: null, pidsLimit: 200, cpuShares: 1024, cpuWeight: null },
    ports: [{ hostIp: '127.0.0.1', hostPort: 8443, containerPort: 8443, protocol: 'tcp' }],
    network: { mode: 'shop_backend', networks: [{ name: 'shop_backend', ipAddress: '172.20.0.4' }] },
    restartPolicy: { name: 'on-failure', maximumRetryCount: 5 },
    healthcheck: { test: ['CMD', '/app/payments-api', 'health'] },
    findings: [
      finding({
        ruleId: 'lsm.apparmor-unconfined', title: 'No AppArmor profile applied', severity: 'low', cis: '5.2',
        rationale: 'AppArmor is not available on this host, so the container has no mandatory access control beyond seccomp and capabilities.',
        evidence: [{ fact: 'lsm.apparmor', value: null, source: 'kernel' }],
        remediation: { text: 'Enable AppArmor on the host; the engine then applies docker-default.', dockerRun: '--security-opt apparmor=docker-default', compose: 'services.<name>.security_opt: ["apparmor=docker-default"]' },
      }),
    ],
    score: 94,
    grade: 'A',
  });

  const web = defaultContainer({ name: 'web', image: 'nginx:1.27', random }, {
    ports: [{ hostIp: '0.0.0.0', hostPort: 80, containerPort: 80, protocol: 'tcp' }, { hostIp: '::', hostPort: 80, containerPort: 80, protocol: 'tcp' }],
    mounts: [
      ...runtimeMounts,
      { type: 'volume', source: 'shop_static', destination: '/usr/share/nginx/html', readOnly: true, propagation: null, sensitive: false, sensitiveReason: null, origin: 'engine' },
    ],
    mismatches: [{ fact: 'cgroup.pidsLimit', kernel: null, config: 100 }],
    findings: [
      limitFindings.root, limitFindings.memory, limitFindings.pids, limitFindings.noNewPrivileges, limitFindings.cpu, limitFindings.readOnly, limitFindings.portsAll(80),
      finding({
        ruleId: 'integrity.declared-vs-effective', title: 'The engine\'s pids limit is not in force', severity: 'medium', attack: ['T1499'],
        rationale: 'The engine was asked for a pids limit of 100 but the kernel shows none on the container\'s cgroup: the pids controller is not mounted. The limit exists only on paper.',
        evidence: [{ fact: 'cgroup.pidsLimit', value: null, source: 'kernel' }, { fact: 'cgroup.pidsLimit', value: 100, source: 'config' }],
        remediation: { text: 'Mount the pids cgroup controller on the host, then recreate the container.', dockerRun: '--pids-limit 100', compose: 'services.<name>.pids_limit: 100' },
      }),
    ],
    score: 52,
    grade: 'D',
  });

  const dangerousCaps = [...defaultCapabilities('docker'), 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'];
  const ciRunner = defaultContainer({ name: 'ci-runner', image: 'gitlab/gitlab-runner:latest', random }, {
    command: ['/usr/bin/dumb-init', '/entrypoint', 'run', '--user=gitlab-runner'],
    labels: { 'com.gitlab.runner.executor': 'docker', maintainer: 'platform-team' },
    envNames: ['PATH', 'CI_SERVER_URL', 'RUNNER_TOKEN', 'DOCKER_HOST'],
    namespaces: namespaces({ pid: true }, random),
    capabilities: { effective: dangerousCaps, permitted: dangerousCaps, bounding: dangerousCaps, inheritable: [], ambient: [], addedVsDefault: ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'], droppedVsDefault: [] },
    seccomp: { mode: 'disabled', profile: 'unconfined', filters: 0 },
    mounts: [
      { type: 'bind', source: '/var/run/docker.sock', destination: '/var/run/docker.sock', readOnly: false, propagation: 'private', sensitive: true, sensitiveReason: 'the Docker API socket: full control of the engine, and so of the host', origin: 'engine' },
      { type: 'bind', source: '/etc', destination: '/host/etc', readOnly: true, propagation: 'slave', sensitive: true, sensitiveReason: 'host configuration (/etc): users, passwords, sudoers, cron', origin: 'engine' },
      { type: 'volume', source: 'runner-config', destination: '/etc/gitlab-runner', readOnly: false, propagation: null, sensitive: false, sensitiveReason: null, origin: 'engine' },
      ...runtimeMounts,
    ],
    ports: [{ hostIp: '0.0.0.0', hostPort: 22, containerPort: 22, protocol: 'tcp' }],
    restartPolicy: { name: 'always', maximumRetryCount: 0 },
    findings: [
      finding({
        ruleId: 'mounts.engine-socket', title: 'The Docker API socket is mounted read-write', severity: 'critical', cis: '5.32', attack: ['T1610', 'T1611'],
        rationale: 'Whoever can write to the engine socket can start a privileged container with the host\'s root filesystem mounted. That is root on the host, in one command.',
        evidence: [{ fact: 'mounts[/var/run/docker.sock].source', value: '/var/run/docker.sock', source: 'kernel' }, { fact: 'mounts[/var/run/docker.sock].readOnly', value: false, source: 'kernel' }],
        remediation: { text: 'Remove the socket mount; give CI a rootless builder or a socket proxy that allows only the calls it needs.', dockerRun: 'remove -v /var/run/docker.sock:/var/run/docker.sock', compose: 'services.<name>.volumes: remove "/var/run/docker.sock:/var/run/docker.sock"' },
      }),
      finding({
        ruleId: 'capabilities.sys-admin', title: 'CAP_SYS_ADMIN is effective', severity: 'critical', cis: '5.4', attack: ['T1611'],
        rationale: 'CAP_SYS_ADMIN allows mount, bpf, namespaces and dozens of administrative calls. With it a process can mount the host\'s disks or abuse cgroup release_agent to run code on the host.',
        evidence: [{ fact: 'capabilities.effective', value: 'CAP_SYS_ADMIN', source: 'kernel' }],
        remediation: { text: 'Drop the capability; grant a narrower one if the workload needs it.', dockerRun: '--cap-drop SYS_ADMIN', compose: 'services.<name>.cap_drop: [SYS_ADMIN]' },
      }),
      finding({
        ruleId: 'seccomp.disabled', title: 'Seccomp is disabled', severity: 'high', cis: '5.22', attack: ['T1611', 'T1068'],
        rationale: 'With seccomp=unconfined every system call reaches the kernel, including the rarely used ones most kernel exploits need (keyctl, userfaultfd, unshare).',
        evidence: [{ fact: 'seccomp.mode', value: 'disabled', source: 'kernel' }],
        remediation: { text: 'Use the engine\'s default seccomp profile, or a custom one.', dockerRun: 'remove --security-opt seccomp=unconfined', compose: 'services.<name>.security_opt: remove "seccomp:unconfined"' },
      }),
      finding({
        ruleId: 'namespaces.host-pid', title: 'Shares the host\'s PID namespace', severity: 'high', cis: '5.16', attack: ['T1057', 'T1611'],
        rationale: 'The container sees every host process. With CAP_SYS_PTRACE also present, it can attach to any of them and run code as that process.',
        evidence: [{ fact: 'namespaces.pid.sharedWithHost', value: true, source: 'kernel' }, { fact: 'namespaces.pid.inode', value: 4026531836, source: 'kernel' }],
        remediation: { text: 'Do not share the host PID namespace.', dockerRun: 'remove --pid=host', compose: 'services.<name>.pid: remove "host"' },
      }),
      finding({
        ruleId: 'capabilities.sys-ptrace', title: 'CAP_SYS_PTRACE is effective', severity: 'high', cis: '5.4', attack: ['T1055'],
        rationale: 'CAP_SYS_PTRACE lets the container trace and inject code into processes it can see; with the host PID namespace that is every process on the host.',
        evidence: [{ fact: 'capabilities.effective', value: 'CAP_SYS_PTRACE', source: 'kernel' }],
        remediation: { text: 'Drop the capability.', dockerRun: '--cap-drop SYS_PTRACE', compose: 'services.<name>.cap_drop: [SYS_PTRACE]' },
      }),
      finding({
        ruleId: 'mounts.sensitive-host-path', title: 'Host /etc is mounted (read-only)', severity: 'medium', cis: '5.6', attack: ['T1552.001'],
        rationale: 'The host\'s /etc holds password hashes, sudoers and service credentials. Read-only still leaks them.',
        evidence: [{ fact: 'mounts[/host/etc].source', value: '/etc', source: 'kernel' }, { fact: 'mounts[/host/etc].readOnly', value: true, source: 'kernel' }],
        remediation: { text: 'Mount only the file the workload needs, or nothing.', dockerRun: 'remove -v /etc:/host/etc:ro', compose: 'services.<name>.volumes: remove "/etc:/host/etc:ro"' },
      }),
      limitFindings.root, limitFindings.memory, limitFindings.pids, limitFindings.noNewPrivileges, limitFindings.portsAll(22), limitFindings.cpu, limitFindings.readOnly,
    ],
    score: 6,
    grade: 'F',
  });

  const hostile = defaultContainer({ name: '<img src=x onerror=alert(1)>', image: 'busybox:latest', random }, {
    command: ['sh', '-c', '<script>alert(document.cookie)</script>; sleep 3600'],
    labels: { 'x-evil': '<img src=x onerror=alert(1)>', '"><svg onload=alert(2)>': 'value' },
    envNames: ['PATH', '<b>BOLD</b>'],
    namespaces: namespaces({}, random, ['cgroup', 'time']),
    gaps: [
      { fact: 'namespaces.cgroup', reason: 'permission denied reading /proc/31337/ns/cgroup: run Isolens as root (or with CAP_SYS_PTRACE) to read it from the kernel' },
      { fact: 'namespaces.time', reason: 'permission denied reading /proc/31337/ns/time: run Isolens as root (or with CAP_SYS_PTRACE) to read it from the kernel' },
    ],
    cgroup: { version: 1, path: '/docker/hostile', memoryLimitBytes: 64 * MiB, cpuQuotaCores: null, cpusetCpus: '0', pidsLimit: 50, cpuShares: 1024, cpuWeight: null },
    findings: [limitFindings.root, limitFindings.noNewPrivileges, limitFindings.cpu, limitFindings.readOnly],
    score: 64,
    grade: 'C',
  });
  return [ciRunner, web, hostile, hardened];
}

const GENERATED_IMAGES = ['nginx:1.27', 'redis:7.4', 'postgres:16', 'registry.internal/worker:3.1', 'node:22-alpine', 'grafana/grafana:11.2.0'];
const GRADES: Grade[] = ['A', 'B', 'C', 'D', 'E', 'F'];

function generated(count: number, random: () => number): ContainerIsolation[] {
  const out: ContainerIsolation[] = [];
  for (let i = 0; i < count; i++) {
    const image = GENERATED_IMAGES[i % GENERATED_IMAGES.length]!;
    const score = Math.round(random() * 100);
    const grade = GRADES[Math.min(5, Math.floor((100 - score) / 17))]!;
    const hostNet = random() < 0.05;
    const limited = random() < 0.4;
    const container = defaultContainer({ name: `svc-${image.split(/[/:]/)[0]}-${String(i + 1).padStart(4, '0')}`, image, random }, {
      namespaces: namespaces({ net: hostNet }, random),
      cgroup: { version: 1, path: null, memoryLimitBytes: limited ? 512 * MiB : null, cpuQuotaCores: limited ? 1 : null, cpusetCpus: null, pidsLimit: limited ? 300 : null, cpuShares: 1024, cpuWeight: null },
      score,
      grade,
    });
    container.findings = container.findings.slice(0, 1 + Math.floor(random() * container.findings.length));
    out.push(container);
  }
  return out;
}

interface Simulation {
  cpu: number;
  memory: number;
  pids: number;
  rx: number;
  tx: number;
  read: number;
  write: number;
}

function sample(container: ContainerIsolation, sim: Simulation, atMs: number, random: () => number): LiveStats {
  const limit = container.cgroup.memoryLimitBytes;
  sim.cpu = Math.max(0, Math.min(container.cgroup.cpuQuotaCores ? container.cgroup.cpuQuotaCores * 100 : 180, sim.cpu + (random() - 0.5) * 12));
  sim.memory = Math.max(8 * MiB, Math.min(limit ? limit * 0.97 : 2048 * MiB, sim.memory + (random() - 0.48) * 4 * MiB));
  sim.pids = Math.max(1, Math.min(container.cgroup.pidsLimit ?? 400, Math.round(sim.pids + (random() - 0.5) * 3)));
  sim.rx += Math.round(random() * 180_000);
  sim.tx += Math.round(random() * 60_000);
  sim.read += random() < 0.2 ? Math.round(random() * 2 * MiB) : 0;
  sim.write += random() < 0.3 ? Math.round(random() * 512 * 1024) : 0;
  return {
    id: container.id, atMs, cpuPercent: Math.round(sim.cpu * 10) / 10, memoryBytes: Math.round(sim.memory), memoryLimitBytes: limit,
    pids: sim.pids, pidsLimit: container.cgroup.pidsLimit, networkRxBytes: sim.rx, networkTxBytes: sim.tx,
    blockReadBytes: sim.read, blockWriteBytes: sim.write, cpuThrottledPeriods: container.cgroup.cpuQuotaCores ? Math.floor(atMs / 7000) % 40 : 0,
    cpuThrottledUs: container.cgroup.cpuQuotaCores ? (Math.floor(atMs / 7000) % 40) * 1200 : 0, oomKills: 0,
  };
}

/** The dev fixture: a realistic snapshot, synthetic 1 Hz stats and an engine that can be made unreachable. */
export function createFixtureApi(options: FixtureOptions): IsolensApi {
  const random = prng(42);
  const containers = options.empty ? [] : [...handWritten(random), ...generated(options.generatedRows, random)];
  const snapshot: Snapshot = {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    engine,
    host: { findings: hostFindings, score: 61, grade: 'C' },
    containers,
    gaps: [],
  };
  const listeners = new Set<(event: ApiEvent) => void>();
  const emit = (event: ApiEvent) => listeners.forEach((listener) => listener(event));
  let engineState: EngineState = options.engineUnreachable
    ? { status: 'unreachable', endpoint: engine.endpoint, error: 'connect ECONNREFUSED /var/run/docker.sock: is the Docker daemon running?', sinceMs: Date.now() - 42_000, nextRetryMs: Date.now() + 8_000 }
    : { status: 'connected', endpoint: engine.endpoint, error: null, sinceMs: Date.now() - 3_600_000, nextRetryMs: null };

  // Seed five minutes of history for the hand-written containers, one simulation per container.
  const simulations = new Map<string, Simulation>();
  const history = new Map<string, LiveStats[]>();
  const now = Date.now();
  for (const [index, container] of containers.entries()) {
    simulations.set(container.id, { cpu: random() * 40, memory: (container.cgroup.memoryLimitBytes ?? 400 * MiB) * (0.3 + random() * 0.4), pids: 4 + Math.floor(random() * 20), rx: 0, tx: 0, read: 0, write: 0 });
    if (index < 10) {
      const samples: LiveStats[] = [];
      for (let t = 240; t > 0; t--) samples.push(sample(container, simulations.get(container.id)!, now - t * 1000, random));
      history.set(container.id, samples);
    }
  }

  let timer: ReturnType<typeof setInterval> | null = null;
  const tick = () => {
    if (engineState.status !== 'connected') return;
    const atMs = Date.now();
    const stats = containers.map((c) => {
      const s = sample(c, simulations.get(c.id)!, atMs, random);
      const kept = history.get(c.id);
      if (kept) {
        kept.push(s);
        if (kept.length > 300) kept.shift();
      }
      return s;
    });
    emit({ type: 'stats', stats });
  };

  const setEngine = (state: EngineState) => {
    engineState = state;
    emit({ type: 'engine', state });
  };

  return {
    getSnapshot: () => (options.loading ? new Promise<Snapshot | null>(() => {}) : Promise.resolve(snapshot)),
    getInspect: async (id) => {
      const c = containers.find((x) => x.id === id);
      if (!c) throw new Error(`no such container: ${id}`);
      return {
        Id: c.id, Created: c.createdAt, Path: c.command[0], Args: c.command.slice(1),
        State: { Status: c.state, Running: true, Pid: c.pid, StartedAt: c.startedAt, OOMKilled: false },
        Image: c.imageId, Name: `/${c.name}`, RestartCount: 0,
        HostConfig: {
          Privileged: c.privileged, PidMode: c.namespaces.pid.mode, NetworkMode: c.network.mode, IpcMode: c.namespaces.ipc.mode,
          CapAdd: c.capabilities?.addedVsDefault.map((x) => x.replace(/^CAP_/, '')) ?? null, CapDrop: null,
          SecurityOpt: c.seccomp.profile === 'unconfined' ? ['seccomp=unconfined'] : null, ReadonlyRootfs: c.readOnlyRootfs,
          Memory: c.cgroup.memoryLimitBytes ?? 0, NanoCpus: (c.cgroup.cpuQuotaCores ?? 0) * 1e9, PidsLimit: c.cgroup.pidsLimit,
          Binds: c.mounts.filter((m) => m.origin === 'engine' && m.type === 'bind').map((m) => `${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`),
          PortBindings: Object.fromEntries(c.ports.map((p) => [`${p.containerPort}/${p.protocol}`, [{ HostIp: p.hostIp, HostPort: String(p.hostPort) }]])),
          RestartPolicy: { Name: c.restartPolicy.name, MaximumRetryCount: c.restartPolicy.maximumRetryCount },
        },
        Config: { Hostname: c.id.slice(0, 12), User: c.user.configured, Env: c.envNames.map((n) => `${n}=<redacted>`), Cmd: c.command, Image: c.image, Labels: c.labels },
        NetworkSettings: { Networks: Object.fromEntries(c.network.networks.map((n) => [n.name, { IPAddress: n.ipAddress }])) },
      };
    },
    getStatsHistory: async (id) => [...(history.get(id) ?? [])],
    setVisibleContainers: async () => undefined, // the fixture's stats cost nothing to make
    getEngineState: async () => engineState,
    retryEngine: async () => {
      setEngine({ ...engineState, status: 'connecting', error: null, nextRetryMs: null });
      await new Promise((resolve) => setTimeout(resolve, 1200));
      setEngine({ status: 'connected', endpoint: engine.endpoint, error: null, sinceMs: Date.now(), nextRetryMs: null });
      emit({ type: 'snapshot', snapshot: { ...snapshot, generatedAt: new Date().toISOString() } });
    },
    // The lab needs a real engine: the fixture says so instead of pretending.
    diffContainers: async () => {
      throw new Error('the fixture API has no lab; run isolens serve');
    },
    generateFix: async () => {
      throw new Error('the fixture API has no lab; run isolens serve');
    },
    generateComposeOverride: async () => {
      throw new Error('the fixture API has no lab; run isolens serve');
    },
    exportReport: async () => {
      throw new Error('the fixture API renders no report; run isolens serve');
    },
    listLabImages: async () => [],
    listProbes: async () => [],
    runLab: async () => ({ ok: false, reason: 'the fixture API has no lab; run isolens serve' }),
    closeLab: async () => 0,
    runProbe: async (_id, probeId) => ({ refused: true, probeId, reason: 'the fixture API has no lab; run isolens serve' }),
    // History needs a database: the fixture records nothing.
    getHistory: async () => {
      throw new Error('the fixture API records no history; run isolens serve');
    },
    getHistoryVersions: async () => {
      throw new Error('the fixture API records no history; run isolens serve');
    },
    getDriftMarks: async () => [],
    getNotificationSettings: async () => ({ mutedRules: [], mutedContainers: [] }),
    setNotificationSettings: async (settings) => settings,
    subscribe: (listener) => {
      listeners.add(listener);
      timer ??= setInterval(tick, 1000);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
  };
}
