// The hardened `docker run` command and compose service that recreate a container without its findings, each flag naming what it answers.
import { normalizeCapabilityName } from '../model/capabilities.js';
import type { ContainerIsolation, Finding, Port } from '../model/schema.js';
import type { InspectDocument } from '../collect/config.js';
import { hostPathSensitivity } from '../model/sensitive.js';
import { ruleById } from '../rules/catalogue.js';
import type { ContainerEngine } from '../engine/engine.js';

/** What the image itself sets, so the command repeats only what the container's run added (from `docker image inspect`). */
export interface ImageDefaults {
  user: string;
  /** Whole `NAME=value` entries, compared with the container's to leave out what the image sets; values are never output. */
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  labels: Record<string, string>;
  healthcheck: string[] | null;
}

export interface FixFlag {
  /** The flag as it appears in the command, or "remove …" for something the fix leaves out. */
  flag: string;
  /** Rule ids of the container's findings this flag answers. */
  answers: string[];
  why: string;
}

export interface GeneratedFix {
  dockerRun: string;
  compose: string;
  flags: FixFlag[];
  /** Findings the fix does not answer, and why (a choice only the owner can make). */
  unanswered: Array<{ ruleId: string; why: string }>;
  /** What was kept on purpose and what the owner should check. */
  notes: string[];
}

export interface FixOptions {
  /** The image's own settings; without them every env name, label and the command are repeated. */
  image?: ImageDefaults;
  /** Name for the recreated container (default: the container's own name). */
  name?: string;
  /** Defaults for limits the container does not have. */
  memoryLimitBytes?: number;
  cpuQuotaCores?: number;
  pidsLimit?: number;
}

/** Defaults when the container has no limit: generous enough for a typical service, small enough to stop a runaway. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
export const DEFAULT_CPU_QUOTA_CORES = 1;
export const DEFAULT_PIDS_LIMIT = 256;
/** nobody:nogroup — present in the /etc/passwd of most base images, owns no file in them. */
export const FALLBACK_USER = '65534:65534';
/** Writable paths most images expect: /tmp, and /run (where /var/run points in Debian, Ubuntu, Alpine and RHEL images). */
export const TMPFS_PATHS: readonly string[] = ['/tmp', '/run'];

/** Characters that need no quoting in any POSIX shell. */
const SHELL_SAFE = /^[A-Za-z0-9_\/.,:=@%+-]+$/;

/** Quote one argument for a POSIX shell: single quotes, with each ' written as '\''. Safe for any text. */
export function shellQuote(argument: string): string {
  if (argument !== '' && SHELL_SAFE.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/**
 * A YAML double-quoted scalar: JSON's string syntax is valid YAML, and `$` is doubled because compose
 * interpolates `$VAR` and `${VAR}` in every value (and rejects `$(`).
 */
export function yamlString(text: string): string {
  return JSON.stringify(text).replace(/\$/g, '$$$$').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]', '']);

function capabilityShortName(name: string): string {
  return normalizeCapabilityName(name).replace(/^CAP_/, '');
}

function kebab(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

/** Isolens rates this capability high or critical on its own: the fix never keeps it, even when it was added on purpose. */
function capabilityTooDangerousToKeep(shortName: string): boolean {
  const rule = ruleById(`capabilities/${kebab(shortName)}`);
  return rule !== undefined && (rule.severity === 'critical' || rule.severity === 'high');
}

interface HostConfigView {
  Privileged?: boolean | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
  PidMode?: string | null;
  IpcMode?: string | null;
  UTSMode?: string | null;
  UsernsMode?: string | null;
  CgroupnsMode?: string | null;
  NetworkMode?: string | null;
  Tmpfs?: Record<string, string> | null;
  Devices?: Array<{ PathOnHost: string; PathInContainer: string; CgroupPermissions?: string | null }> | null;
  DeviceCgroupRules?: string[] | null;
  RestartPolicy?: { Name?: string | null; MaximumRetryCount?: number | null } | null;
  Init?: boolean | null;
}

interface ConfigView {
  Image: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | string | null;
  User?: string | null;
  WorkingDir?: string | null;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, unknown> | null;
  Healthcheck?: { Test?: string[] | null; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } | null;
}

interface MountView {
  Type?: string | null;
  Name?: string | null;
  Source?: string | null;
  Destination: string;
  RW?: boolean | null;
  Propagation?: string | null;
}

/** A mount as the fix recreates it. */
interface PlannedMount {
  type: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly: boolean;
}

/** Everything the command and the compose service are rendered from: one plan, two renderings (three with compose-override.ts). */
export interface Plan {
  name: string;
  image: string;
  entrypoint: string[] | null;
  command: string[] | null;
  workingDir: string | null;
  user: string | null;
  envNames: string[];
  labels: Array<[string, string]>;
  ports: Port[];
  mounts: PlannedMount[];
  tmpfs: Array<{ target: string; options: string }>;
  network: string | null;
  restart: string | null;
  init: boolean;
  capAdd: string[];
  securityOpt: string[];
  readOnly: boolean;
  memoryLimitBytes: number;
  cpuQuotaCores: number;
  pidsLimit: number;
  devices: string[];
  deviceCgroupRules: string[];
  healthcheck: { test: string[]; intervalNs: number; timeoutNs: number; retries: number } | null;
}

function asArray(value: string[] | string | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  return Array.isArray(value) ? value : [value];
}

const sameList = (a: string[] | null, b: string[] | null) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

export function memoryFlagValue(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes}m` : `${bytes}b`;
}

function portSpec(p: Port): string {
  const host = p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp;
  return `${host}:${p.hostPort}:${p.containerPort}/${p.protocol}`;
}

/**
 * Recreate the container with the hardening that answers its findings: `--cap-drop ALL` plus only what it needs,
 * `--read-only` with tmpfs, no-new-privileges, limits, a non-root user, no host namespaces, no engine socket,
 * no seccomp=unconfined, ports on 127.0.0.1. `container` should be assessed (findings filled): the `answers` of
 * each flag are the container's own findings. Env values are never copied.
 */
export function generateFix(container: ContainerIsolation, inspect: InspectDocument, options: FixOptions = {}): GeneratedFix {
  const host = inspect.HostConfig as unknown as HostConfigView;
  const config = inspect.Config as unknown as ConfigView;
  const image = options.image;
  const findings = new Map<string, Finding>(container.findings.map((f) => [f.ruleId, f]));
  const present = (...ruleIds: string[]) => ruleIds.filter((id) => findings.has(id));
  const answeredIds = new Set<string>();
  const flags: FixFlag[] = [];
  const notes: string[] = [];
  const flag = (text: string, answers: string[], why: string) => {
    answers.forEach((id) => answeredIds.add(id));
    flags.push({ flag: text, answers, why });
  };

  // Identity: image, entrypoint, command, working directory, env names, labels.
  const entrypoint = asArray(config.Entrypoint);
  const entrypointChanged = image ? !sameList(entrypoint, image.entrypoint) : entrypoint !== null && entrypoint.length > 0;
  const command = config.Cmd ?? null;
  const commandChanged = image ? !sameList(command, image.cmd) || entrypointChanged : command !== null && command.length > 0;
  const imageEnv = new Set(image?.env ?? []);
  const envNames = (config.Env ?? [])
    .filter((entry) => !imageEnv.has(entry))
    .map((entry) => entry.split('=')[0] ?? '')
    .filter((name) => name !== '');
  const labels = Object.entries(config.Labels ?? {}).filter(([key, value]) => image?.labels[key] !== value);

  // User: non-root where the image allows it.
  const runsAsRoot = container.user.uid === 0 || (container.user.uid === null && /^(|0|root)(:.*)?$/.test(container.user.configured));
  // A non-root user set at run time is kept; one the image declares is inherited without repeating it.
  let user: string | null = !runsAsRoot && container.user.configured !== '' && container.user.configured !== image?.user ? container.user.configured : null;
  if (runsAsRoot) {
    const imageUser = image?.user ?? '';
    const imageUserIsRoot = /^(|0|root)(:.*)?$/.test(imageUser);
    if (imageUser !== '' && !imageUserIsRoot) {
      user = imageUser;
      flag(`--user ${imageUser}`, present('namespaces/root-in-host-userns'), `The image declares USER ${imageUser} and the container overrode it with root; the image's own user is the one it was built to run as.`);
    } else {
      user = FALLBACK_USER;
      flag(
        `--user ${FALLBACK_USER}`,
        present('namespaces/root-in-host-userns'),
        `The container runs as root and the image declares no other user, so the fix picks the numeric uid/gid 65534 (nobody): the engine accepts a numeric user without an /etc/passwd entry, and nobody owns no file in the image, so it can write only to the tmpfs and volumes given below. If the workload must write elsewhere or change user at start, build the image with a USER instead.`,
      );
    }
  }

  // Capabilities: none, then only what the workload needs.
  const exposedPorts = Object.keys(config.ExposedPorts ?? {}).map((key) => Number(key.split('/')[0]));
  const listensBelow1024 = [...exposedPorts, ...container.ports.map((p) => p.containerPort)].some((port) => Number.isInteger(port) && port > 0 && port < 1024);
  const added = [...new Set(((host.CapAdd ?? []) as string[]).map(capabilityShortName))].filter((name) => name !== 'ALL');
  const keep = new Set<string>();
  if (listensBelow1024) keep.add('NET_BIND_SERVICE');
  const droppedAdded: string[] = [];
  for (const name of added) {
    if (capabilityTooDangerousToKeep(name)) droppedAdded.push(name);
    else keep.add(name);
  }
  const bounding = container.capabilities?.bounding.map(capabilityShortName) ?? [];
  const capabilityAnswers = present(
    'capabilities/beyond-default',
    ...bounding.filter((name) => !keep.has(name)).map((name) => `capabilities/${kebab(name)}`),
  );
  flag(
    '--cap-drop ALL',
    capabilityAnswers,
    'Start from no capabilities: root in the container then holds none of the kernel privileges the engine grants by default (chown any file, raw sockets, mknod, setuid …).',
  );
  const capAdd = [...keep].sort();
  for (const name of capAdd) {
    const reason =
      name === 'NET_BIND_SERVICE' && listensBelow1024
        ? 'The container listens on a port below 1024, which needs NET_BIND_SERVICE.'
        : `Added explicitly to the original container (--cap-add ${name}); Isolens does not rate it high or critical, so the fix assumes the workload needs it.`;
    flag(`--cap-add ${name}`, [], reason);
  }
  if (droppedAdded.length > 0) {
    notes.push(
      `Not added back although the original added them: ${droppedAdded.join(', ')} (Isolens rates each high or critical). If the workload truly needs one, add it back knowingly and run that task in its own container.`,
    );
  }
  if (runsAsRoot && user !== null) {
    notes.push('If the process changes user at start (nginx, postgres entrypoints), it also needs --cap-add CHOWN --cap-add SETUID --cap-add SETGID, or run it as its final user directly.');
  }

  // Privileged mode and host namespaces go.
  if (host.Privileged) {
    flag('remove --privileged', present('runtime/privileged', 'mounts/writable-kernel-filesystem', 'seccomp-lsm/seccomp-disabled', 'seccomp-lsm/apparmor-unconfined', 'seccomp-lsm/selinux-unconfined'), 'Privileged mode grants every capability and device and turns off seccomp and LSM confinement.');
  }
  const namespaceFlags: Array<[keyof HostConfigView, string, string, string]> = [
    ['PidMode', '--pid', 'namespaces/host-pid', 'the host\'s processes'],
    ['IpcMode', '--ipc', 'namespaces/host-ipc', 'the host\'s shared memory and semaphores'],
    ['UTSMode', '--uts', 'namespaces/host-uts', 'the host\'s hostname'],
    ['UsernsMode', '--userns', 'namespaces/host-user', 'the host\'s user namespace'],
  ];
  for (const [key, option, ruleId, what] of namespaceFlags) {
    if (host[key] === 'host') flag(`remove ${option} host`, present(ruleId), `The engine default gives the container its own namespace instead of ${what}.`);
  }
  let network: string | null = host.NetworkMode && host.NetworkMode !== 'default' ? host.NetworkMode : null;
  if (network === 'host') {
    network = 'bridge';
    flag('--network bridge', present('namespaces/host-net'), 'Replaces --network host: the container gets its own network stack and reaches the host only through the ports published below. Publish the ports the service needs with -p 127.0.0.1:PORT:PORT.');
  }
  if (host.CgroupnsMode === 'host' && container.cgroup.version === 2) {
    flag('--cgroupns private', present('namespaces/host-cgroup'), 'A private cgroup namespace hides the host\'s cgroup tree.');
  }

  // Security options: keep custom profiles, drop unconfined ones, add no-new-privileges.
  const securityOpt: string[] = [];
  for (const option of (host.SecurityOpt ?? []) as string[]) {
    const [key = '', value = ''] = option.split(/[=:](.*)/s);
    if (key === 'no-new-privileges') continue;
    if (key === 'seccomp' && value === 'unconfined') {
      flag('remove --security-opt seccomp=unconfined', present('seccomp-lsm/seccomp-disabled'), 'The engine\'s default seccomp profile blocks the syscalls containers use to escape (unshare, mount, keyctl, bpf …) unless a capability allows them.');
      continue;
    }
    if (key === 'seccomp' && value !== '' && value !== 'builtin') {
      // The docker CLI inlines the profile file's content into SecurityOpt: the path is gone, so the owner supplies it.
      securityOpt.push('seccomp=<path-to-the-seccomp-profile.json>');
      notes.push('The original uses a custom seccomp profile; the engine keeps only its content, so the command names it <path-to-the-seccomp-profile.json>: put the reviewed profile\'s path there.');
      continue;
    }
    if (key === 'apparmor' && value === 'unconfined') {
      flag('remove --security-opt apparmor=unconfined', present('seccomp-lsm/apparmor-unconfined'), 'The engine\'s default AppArmor profile then confines the container.');
      continue;
    }
    if (key === 'label' && value === 'disable') {
      flag('remove --security-opt label=disable', present('seccomp-lsm/selinux-unconfined'), 'SELinux labelling then confines the container (container_t).');
      continue;
    }
    securityOpt.push(option);
  }
  securityOpt.push('no-new-privileges');
  flag('--security-opt no-new-privileges', present('runtime/new-privileges-allowed'), 'No process in the container can gain privileges through setuid or file-capability binaries.');

  // Mounts: the engine socket goes; sensitive host paths stay but read-only; propagation back to private.
  const mounts: PlannedMount[] = [];
  for (const m of (inspect.Mounts ?? []) as MountView[]) {
    const type = m.Type ?? 'bind';
    if (type !== 'bind' && type !== 'volume') continue;
    const source = type === 'volume' ? (m.Name ?? m.Source ?? '') : (m.Source ?? '');
    const sensitivity = type === 'bind' ? hostPathSensitivity(source) : { sensitive: false, reason: null, engineSocket: null, hostRootIfWritable: false };
    if (sensitivity.engineSocket !== null || (type === 'bind' && hostPathSensitivity(m.Destination).engineSocket !== null && m.Destination.endsWith('.sock'))) {
      flag(`remove the mount ${source} → ${m.Destination}`, present('mounts/engine-socket'), 'Whoever can write to the engine\'s socket controls the engine and so the host. If a tool needs the engine, put an authorising proxy in front of the socket that allows only the calls it needs.');
      continue;
    }
    let readOnly = m.RW === false;
    if (sensitivity.sensitive && !readOnly) {
      readOnly = true;
      // The rule's own fix for this exact mount (remove it, or :ro) leads; the command keeps it read-only so the workload still starts.
      const ruleFix = mountFinding(container, m.Destination, ['mounts/host-root-read-write', 'mounts/sensitive-read-write'])?.remediation.text;
      flag(
        `--mount type=bind,source=${source},target=${m.Destination},readonly`,
        present('mounts/host-root-read-write', 'mounts/sensitive-read-write'),
        `${ruleFix ? `${ruleFix} ` : ''}Kept, because the workload may read it, but read-only: ${sensitivity.reason ?? 'a sensitive host path'}. Narrow it to the one file or directory needed to answer mounts/sensitive-read-only as well.`,
      );
    } else if (sensitivity.sensitive) {
      notes.push(`Kept read-only as before: ${source} → ${m.Destination} (${sensitivity.reason ?? 'sensitive'}); mount only the file or directory the workload needs.`);
    }
    if (m.Propagation === 'shared' || m.Propagation === 'rshared') {
      flag(`--mount type=${type},source=${source},target=${m.Destination} (no bind-propagation: private)`, present('mounts/shared-propagation'), 'Shared propagation lets mounts made in the container appear on the host; the fix uses the default, private.');
    }
    mounts.push({ type, source, target: m.Destination, readOnly });
  }
  const tmpfs: Array<{ target: string; options: string }> = Object.entries(host.Tmpfs ?? {}).map(([target, options]) => ({ target, options }));
  const covered = (path: string) => tmpfs.some((t) => t.target === path) || mounts.some((m) => m.target === path);
  const addedTmpfs = TMPFS_PATHS.filter((path) => !covered(path));
  for (const path of addedTmpfs) tmpfs.push({ target: path, options: 'rw,nosuid,nodev,size=64m' });
  flag(
    `--read-only ${addedTmpfs.map((path) => `--tmpfs ${path}:rw,nosuid,nodev,size=64m`).join(' ')}`.trim(),
    present('mounts/writable-root-filesystem'),
    `The image's files cannot be changed, so a foothold cannot drop tools or alter binaries; ${addedTmpfs.length > 0 ? `${addedTmpfs.join(' and ')} become small in-memory filesystems for the temporary files most programs write` : 'the writable paths it already had stay'}. Add a volume or tmpfs for any other path the workload writes.`,
  );

  // Limits: keep the ones it has, add sensible ones where it has none.
  const memoryLimitBytes = container.cgroup.memoryLimitBytes ?? options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
  const cpuQuotaCores = container.cgroup.cpuQuotaCores ?? options.cpuQuotaCores ?? DEFAULT_CPU_QUOTA_CORES;
  const pidsLimit = container.cgroup.pidsLimit ?? options.pidsLimit ?? DEFAULT_PIDS_LIMIT;
  const limitWhy = (kept: boolean, what: string) => (kept ? `The container's current ${what}, kept.` : `The container had no ${what}; this default stops a runaway or an attacker from starving the host. Size it to the workload.`);
  flag(
    `--memory ${memoryFlagValue(memoryLimitBytes)} --memory-swap ${memoryFlagValue(memoryLimitBytes)}`,
    present('resources/memory-unlimited'),
    `${limitWhy(container.cgroup.memoryLimitBytes !== null, 'memory limit')} The same value for --memory-swap means no swap on top of it, so the limit is the limit.`,
  );
  flag(`--cpus ${cpuQuotaCores}`, present('resources/cpu-unlimited'), limitWhy(container.cgroup.cpuQuotaCores !== null, 'CPU limit'));
  flag(`--pids-limit ${pidsLimit}`, present('resources/pids-unlimited'), limitWhy(container.cgroup.pidsLimit !== null, 'process limit'));

  // Ports: every-interface bindings move to 127.0.0.1; specific addresses stay.
  const ports: Port[] = [];
  const rebound: string[] = [];
  const reboundPorts: Port[] = [];
  for (const p of container.ports) {
    const wildcard = WILDCARD_ADDRESSES.has(p.hostIp);
    const planned: Port = wildcard ? { ...p, hostIp: '127.0.0.1' } : p;
    // Docker lists one -p binding twice (0.0.0.0 and ::) when IPv6 is on: both become the same 127.0.0.1 binding.
    if (ports.some((q) => portSpec(q) === portSpec(planned))) continue;
    ports.push(planned);
    if (wildcard) {
      rebound.push(`${p.hostIp}:${p.hostPort}`);
      reboundPorts.push(planned);
    }
  }
  if (rebound.length > 0) {
    flag(
      reboundPorts.map((p) => `-p ${portSpec(p)}`).join(' '),
      present('network/all-interfaces'),
      `Published on every interface before (${rebound.join(', ')}); 127.0.0.1 keeps it reachable from this host only. Use the address of the one interface that should reach it if other machines must.`,
    );
  }

  const unanswered: GeneratedFix['unanswered'] = [];
  for (const finding of container.findings) {
    if (answeredIds.has(finding.ruleId)) continue;
    unanswered.push({ ruleId: finding.ruleId, why: unansweredReason(finding) });
  }

  const restartName = host.RestartPolicy?.Name ?? '';
  const restart = restartName === '' || restartName === 'no' ? null : restartName === 'on-failure' && host.RestartPolicy?.MaximumRetryCount ? `on-failure:${host.RestartPolicy.MaximumRetryCount}` : restartName;
  const healthTest = config.Healthcheck?.Test ?? null;
  // A health check the image defines is inherited; only one set at run time is repeated.
  const imageHasSameHealthcheck = image !== undefined && sameList(healthTest, image.healthcheck);
  const plan: Plan = {
    name: options.name ?? container.name,
    image: config.Image,
    entrypoint: entrypointChanged ? entrypoint : null,
    command: commandChanged ? command : null,
    workingDir: config.WorkingDir ? config.WorkingDir : null,
    user,
    envNames,
    labels,
    ports,
    mounts,
    tmpfs,
    network,
    restart,
    init: host.Init === true,
    capAdd,
    securityOpt,
    readOnly: true,
    memoryLimitBytes,
    cpuQuotaCores,
    pidsLimit,
    devices: (host.Devices ?? []).map((d) => `${d.PathOnHost}:${d.PathInContainer}:${d.CgroupPermissions ?? 'rwm'}`),
    deviceCgroupRules: host.DeviceCgroupRules ?? [],
    healthcheck:
      healthTest && healthTest.length > 1 && healthTest[0] !== 'NONE' && !imageHasSameHealthcheck
        ? { test: healthTest, intervalNs: config.Healthcheck?.Interval ?? 0, timeoutNs: config.Healthcheck?.Timeout ?? 0, retries: config.Healthcheck?.Retries ?? 0 }
        : null,
  };
  if (plan.devices.length > 0) notes.push('Host devices are kept as they were: pass only the devices the workload needs, with the narrowest permissions.');
  if (envNames.length > 0) notes.push(`Environment values are not copied (they may be secrets): replace each <value> for ${envNames.join(', ')}.`);

  const fix: GeneratedFix = { dockerRun: renderDockerRun(plan), compose: renderCompose(plan), flags, unanswered, notes };
  plans.set(fix, plan);
  return fix;
}

/** The plan each generated fix was rendered from, for other renderings (the compose override of a project). */
const plans = new WeakMap<GeneratedFix, Plan>();

export function planOf(fix: GeneratedFix): Plan {
  const plan = plans.get(fix);
  if (!plan) throw new Error('planOf: not a fix generateFix made');
  return plan;
}

/** The finding a mount rule reported for this exact mount (its evidence names mounts[destination]). */
function mountFinding(container: ContainerIsolation, destination: string, ruleIds: readonly string[]): Finding | undefined {
  return container.findings.find((f) => ruleIds.includes(f.ruleId) && f.evidence.some((e) => e.fact.startsWith(`mounts[${destination}].`)));
}

function unansweredReason(finding: Finding): string {
  switch (finding.ruleId) {
    case 'mounts/sensitive-read-only':
      return 'The sensitive mount is kept (read-only): only the owner knows which file or directory under it the workload needs.';
    case 'network/privileged-host-port':
      return 'The host port is kept: moving it to 1024 or above changes the address clients use.';
    case 'runtime/host-devices':
    case 'runtime/device-cgroup-rules':
      return 'Devices are kept: only the owner knows which ones the workload uses.';
    case 'runtime/no-healthcheck':
      return 'A health check depends on the service; define one in the image (HEALTHCHECK).';
    case 'runtime/restart-policy':
      return 'The restart policy is kept: changing it changes availability, which is the owner\'s call.';
    case 'runtime/sshd':
      return 'Removing sshd means rebuilding the image.';
    default:
      return finding.remediation.dockerRun
        ? `Not a flag the fix sets automatically; the rule suggests: ${finding.remediation.dockerRun}`
        : finding.remediation.text;
  }
}

function healthcheckCommand(test: string[]): string {
  // CMD-SHELL carries one shell string; CMD carries argv, which --health-cmd runs through a shell, so quote each word.
  return test[0] === 'CMD-SHELL' ? (test[1] ?? '') : test.slice(1).map(shellQuote).join(' ');
}

function durationFlag(ns: number): string {
  return `${Math.round(ns / 1e6)}ms`;
}

function renderDockerRun(plan: Plan): string {
  const lines: string[][] = [['docker', 'run', '-d'], ['--name', plan.name]];
  if (plan.user) lines.push(['--user', plan.user]);
  lines.push(['--cap-drop', 'ALL']);
  for (const name of plan.capAdd) lines.push(['--cap-add', name]);
  for (const option of plan.securityOpt) lines.push(['--security-opt', option]);
  lines.push(['--read-only']);
  for (const t of plan.tmpfs) lines.push(['--tmpfs', t.options ? `${t.target}:${t.options}` : t.target]);
  lines.push(['--memory', memoryFlagValue(plan.memoryLimitBytes)], ['--memory-swap', memoryFlagValue(plan.memoryLimitBytes)]);
  lines.push(['--cpus', String(plan.cpuQuotaCores)], ['--pids-limit', String(plan.pidsLimit)]);
  if (plan.network) lines.push(['--network', plan.network]);
  for (const p of plan.ports) lines.push(['-p', portSpec(p)]);
  for (const m of plan.mounts) {
    // --mount quotes with CSV rules, so it carries paths holding ':' or ',' that -v would split.
    const csv = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
    lines.push(['--mount', [`type=${m.type}`, csv(`source=${m.source}`), csv(`target=${m.target}`), ...(m.readOnly ? ['readonly'] : [])].join(',')]);
  }
  for (const d of plan.devices) lines.push(['--device', d]);
  for (const rule of plan.deviceCgroupRules) lines.push(['--device-cgroup-rule', rule]);
  for (const name of plan.envNames) lines.push(['-e', `${name}=<value>`]);
  for (const [key, value] of plan.labels) lines.push(['--label', `${key}=${value}`]);
  if (plan.restart) lines.push(['--restart', plan.restart]);
  if (plan.init) lines.push(['--init']);
  if (plan.workingDir) lines.push(['--workdir', plan.workingDir]);
  if (plan.healthcheck) {
    lines.push(['--health-cmd', healthcheckCommand(plan.healthcheck.test)]);
    if (plan.healthcheck.intervalNs > 0) lines.push(['--health-interval', durationFlag(plan.healthcheck.intervalNs)]);
    if (plan.healthcheck.timeoutNs > 0) lines.push(['--health-timeout', durationFlag(plan.healthcheck.timeoutNs)]);
    if (plan.healthcheck.retries > 0) lines.push(['--health-retries', String(plan.healthcheck.retries)]);
  }
  let command = plan.command ?? [];
  if (plan.entrypoint && plan.entrypoint.length > 0) {
    // --entrypoint takes one word; the rest of an entrypoint array goes before the command.
    lines.push(['--entrypoint', plan.entrypoint[0]!]);
    command = [...plan.entrypoint.slice(1), ...(plan.command ?? [])];
  } else if (plan.entrypoint && plan.entrypoint.length === 0) {
    lines.push(['--entrypoint', '']);
  }
  // `--` would be read as the image name by docker run; the image is the first word after the options.
  lines.push([plan.image, ...command]);
  return lines.map((words) => words.map(shellQuote).join(' ')).join(' \\\n  ');
}

function composeServiceName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
  return cleaned === '' ? 'app' : cleaned;
}

export function yamlList(items: readonly string[]): string {
  return `[${items.map(yamlString).join(', ')}]`;
}

function renderCompose(plan: Plan): string {
  const out: string[] = ['services:', `  ${composeServiceName(plan.name)}:`];
  const line = (text: string) => out.push(`    ${text}`);
  line(`image: ${yamlString(plan.image)}`);
  line(`container_name: ${yamlString(plan.name)}`);
  if (plan.entrypoint) line(`entrypoint: ${yamlList(plan.entrypoint)}`);
  if (plan.command) line(`command: ${yamlList(plan.command)}`);
  if (plan.workingDir) line(`working_dir: ${yamlString(plan.workingDir)}`);
  if (plan.user) line(`user: ${yamlString(plan.user)}`);
  line('read_only: true');
  line(`tmpfs: ${yamlList(plan.tmpfs.map((t) => (t.options ? `${t.target}:${t.options}` : t.target)))}`);
  line('cap_drop: ["ALL"]');
  if (plan.capAdd.length > 0) line(`cap_add: ${yamlList(plan.capAdd)}`);
  // Compose writes security options with ':' (no-new-privileges:true); seccomp and apparmor take either.
  line(`security_opt: ${yamlList(plan.securityOpt.map((o) => (o === 'no-new-privileges' ? 'no-new-privileges:true' : o)))}`);
  line(`mem_limit: ${yamlString(memoryFlagValue(plan.memoryLimitBytes))}`);
  line(`memswap_limit: ${yamlString(memoryFlagValue(plan.memoryLimitBytes))}`);
  line(`cpus: ${plan.cpuQuotaCores}`);
  line(`pids_limit: ${plan.pidsLimit}`);
  if (plan.network) line(`network_mode: ${yamlString(plan.network)}`);
  if (plan.ports.length > 0) line(`ports: ${yamlList(plan.ports.map(portSpec))}`);
  if (plan.mounts.length > 0) {
    line('volumes:');
    for (const m of plan.mounts) {
      line(`  - type: ${m.type}`);
      line(`    source: ${yamlString(m.source)}`);
      line(`    target: ${yamlString(m.target)}`);
      if (m.readOnly) line('    read_only: true');
    }
  }
  if (plan.devices.length > 0) line(`devices: ${yamlList(plan.devices)}`);
  if (plan.deviceCgroupRules.length > 0) line(`device_cgroup_rules: ${yamlList(plan.deviceCgroupRules)}`);
  if (plan.envNames.length > 0) line(`environment: ${yamlList(plan.envNames.map((name) => `${name}=<value>`))}`);
  if (plan.labels.length > 0) line(`labels: ${yamlList(plan.labels.map(([key, value]) => `${key}=${value}`))}`);
  if (plan.restart) line(`restart: ${yamlString(plan.restart)}`);
  if (plan.init) line('init: true');
  if (plan.healthcheck) {
    line('healthcheck:');
    line(`  test: ${yamlList(plan.healthcheck.test)}`);
    if (plan.healthcheck.intervalNs > 0) line(`  interval: ${yamlString(durationFlag(plan.healthcheck.intervalNs))}`);
    if (plan.healthcheck.timeoutNs > 0) line(`  timeout: ${yamlString(durationFlag(plan.healthcheck.timeoutNs))}`);
    if (plan.healthcheck.retries > 0) line(`  retries: ${plan.healthcheck.retries}`);
  }
  return `${out.join('\n')}\n`;
}

/** generateFix with the image's own settings asked of the engine; an image removed since gives a fix that repeats them. */
export async function fixWithImageDefaults(adapter: ContainerEngine, container: ContainerIsolation, inspect: InspectDocument): Promise<GeneratedFix> {
  const image = await adapter
    .inspectImage(inspect.Image ?? inspect.Config.Image)
    .then((info) => (info === null ? undefined : imageDefaultsFrom(info as Parameters<typeof imageDefaultsFrom>[0])))
    .catch(() => undefined);
  return generateFix(container, inspect, image ? { image } : {});
}

/** The image settings generateFix compares against, from the engine's image inspect document. */
export function imageDefaultsFrom(imageInspect: {
  Config?: {
    User?: string | null;
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | string | null;
    Labels?: Record<string, string> | null;
    Healthcheck?: { Test?: string[] | null } | null;
  } | null;
}): ImageDefaults {
  const config = imageInspect.Config ?? {};
  return {
    user: config.User ?? '',
    env: config.Env ?? [],
    cmd: config.Cmd ?? null,
    entrypoint: asArray(config.Entrypoint),
    labels: config.Labels ?? {},
    healthcheck: config.Healthcheck?.Test ?? null,
  };
}
