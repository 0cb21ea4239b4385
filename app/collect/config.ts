// What the engine's configuration (inspect) says about a container's isolation: a complete document, every fact from 'config'.
import {
  allCapabilityNames,
  defaultCapabilities,
  normalizeCapabilityName,
} from '../model/capabilities.js';
import type {
  Capabilities,
  ContainerIsolation,
  ContainerRuntime,
  EngineInfo,
  Mount,
  Namespace,
  NamespaceKind,
  Port,
  Seccomp,
} from '../model/schema.js';
import { NAMESPACE_KINDS } from '../model/vocabulary.js';
import { hostPathSensitivity } from '../model/sensitive.js';
import type { SeccompProfileDocument } from '../operations/seccomp.js';
import type { ContainerInspectDocument } from '../engine/containers.js';
import { classifyRuntime } from '../engine/runtime.js';
import { compareText } from '../model/collation.js';

/** The engine's inspect document (Docker and Podman's compat API share this shape). */
export type InspectDocument = ContainerInspectDocument;

/** Values of HostConfig.*Mode that mean "the host's namespace". */
function namespaceModes(inspect: InspectDocument): Record<NamespaceKind, string | null> {
  const host = inspect.HostConfig as InspectDocument['HostConfig'] & { CgroupnsMode?: string; UsernsMode?: string; UTSMode?: string };
  return {
    pid: host.PidMode ?? '',
    net: host.NetworkMode ?? '',
    ipc: host.IpcMode ?? '',
    uts: host.UTSMode ?? '',
    mnt: null,
    user: host.UsernsMode ?? '',
    cgroup: host.CgroupnsMode ?? '',
    time: null,
  };
}

/** Whether the engine config means the namespace is the host's; null when the config cannot tell. */
function configSharedWithHost(kind: NamespaceKind, mode: string | null, engine: EngineInfo): boolean | null {
  switch (kind) {
    case 'mnt':
      return false;
    case 'time':
      // Neither Docker nor Podman creates time namespaces: every container uses the host's clocks.
      return true;
    case 'user':
      if (mode === 'host') return true;
      if (mode && mode !== '') return false;
      if (engine.rootless) return false;
      return engine.userNamespaceRemap === null ? null : !engine.userNamespaceRemap;
    case 'cgroup':
      if (mode === 'host') return true;
      if (mode === 'private') return false;
      // Docker's default: private on cgroup v2, host on v1.
      return engine.cgroupVersion === null ? null : engine.cgroupVersion === 1;
    default:
      if (mode === 'host') return true;
      if (mode?.startsWith('container:')) return null; // shares another container's: the kernel says whose
      return false;
  }
}

export function namespacesFromConfig(inspect: InspectDocument, engine: EngineInfo): Record<NamespaceKind, Namespace> {
  const modes = namespaceModes(inspect);
  const result = {} as Record<NamespaceKind, Namespace>;
  for (const kind of NAMESPACE_KINDS) {
    const mode = modes[kind];
    result[kind] = { inode: null, sharedWithHost: configSharedWithHost(kind, mode, engine), source: 'config', mode };
  }
  return result;
}

/** Each known capability's place in the kernel's table, built on first use (not once per call, as it was). */
let capabilityOrder: Map<string, number> | undefined;

function sortCapabilities(names: Iterable<string>): string[] {
  const order = (capabilityOrder ??= new Map(allCapabilityNames().map((name, index) => [name, index])));
  return [...new Set(names)].sort((a, b) => (order.get(a) ?? 999) - (order.get(b) ?? 999) || compareText(a, b));
}

/** The bounding set the engine will apply: default ∪ CapAdd − CapDrop (ALL honoured), or everything when privileged. */
export function boundingFromConfig(inspect: InspectDocument, engine: EngineInfo): string[] {
  const all = allCapabilityNames();
  if (inspect.HostConfig.Privileged) return sortCapabilities(all);
  const explicit = (inspect.HostConfig as { Capabilities?: string[] | null }).Capabilities;
  if (explicit && explicit.length > 0) return sortCapabilities(explicit.map(normalizeCapabilityName));
  const add: string[] = ((inspect.HostConfig.CapAdd ?? []) as string[]).map(normalizeCapabilityName);
  const drop: string[] = ((inspect.HostConfig.CapDrop ?? []) as string[]).map(normalizeCapabilityName);
  let set = new Set<string>(defaultCapabilities(engine.kind));
  if (drop.includes('CAP_ALL')) set = new Set();
  else drop.forEach((name) => set.delete(name));
  if (add.includes('CAP_ALL')) all.forEach((name) => set.add(name));
  else add.forEach((name) => set.add(name));
  // Docker applies drops after ALL: --cap-add ALL --cap-drop X keeps X out.
  if (add.includes('CAP_ALL')) drop.forEach((name) => set.delete(name));
  return sortCapabilities(set);
}

/** Added and dropped relative to the engine's default set: the diff a reviewer reads first. */
export function diffAgainstDefault(bounding: string[], engine: EngineInfo): Pick<Capabilities, 'addedVsDefault' | 'droppedVsDefault'> {
  const defaults = defaultCapabilities(engine.kind);
  return {
    addedVsDefault: sortCapabilities(bounding.filter((name) => !defaults.includes(name))),
    droppedVsDefault: sortCapabilities(defaults.filter((name) => !bounding.includes(name))),
  };
}

/** Whether the configured user is root: "", "0", "root", "0:0", "root:1000" are root. */
export function configuredUserIsRoot(user: string): boolean | null {
  const name = user.split(':')[0] ?? '';
  if (name === '' || name === '0' || name === 'root') return true;
  if (/^\d+$/.test(name)) return false;
  return null; // a name resolved inside the image: only the kernel knows
}

/**
 * The uid and gid the engine will start the process with, inside the container, where the configuration alone says:
 * "" and "root" are 0:0, a number is that uid, "u:g" with a numeric group is that gid. A user name, or a numeric uid
 * without a group (the image's /etc/passwd decides the group), gives null.
 */
export function configuredIds(user: string): { uid: number | null; gid: number | null } {
  const [name = '', group] = user.split(':');
  const root = configuredUserIsRoot(user);
  const uid = root === true ? 0 : root === false ? Number(name) : null;
  let gid: number | null = null;
  if (group !== undefined && group !== '') gid = /^\d+$/.test(group) ? Number(group) : group === 'root' ? 0 : null;
  else if (name === '' || name === 'root' || name === '0') gid = 0;
  return { uid, gid };
}

function capabilitiesFromConfig(inspect: InspectDocument, engine: EngineInfo): Capabilities {
  const bounding = boundingFromConfig(inspect, engine);
  const root = configuredUserIsRoot(inspect.Config.User ?? '');
  // A non-root process keeps no effective capabilities (no ambient set is configured by the engines).
  const effective = root === false ? [] : bounding;
  return {
    effective,
    permitted: effective,
    bounding,
    inheritable: [],
    ambient: [],
    ...diffAgainstDefault(bounding, engine),
  };
}

function securityOptions(inspect: InspectDocument): Array<{ key: string; value: string }> {
  return ((inspect.HostConfig.SecurityOpt ?? []) as string[]).map((option) => {
    const match = /^([^=:]+)[=:]?(.*)$/s.exec(option);
    return { key: (match?.[1] ?? option).trim(), value: (match?.[2] ?? '').trim() };
  });
}

export function seccompFromConfig(inspect: InspectDocument, engine: EngineInfo): Seccomp {
  const option = securityOptions(inspect).find((o) => o.key === 'seccomp');
  const engineHasSeccomp = engine.securityOptions.some((o) => o.startsWith('name=seccomp'));
  let profile: Seccomp['profile'];
  if (inspect.HostConfig.Privileged || option?.value === 'unconfined') profile = 'unconfined';
  else if (option && option.value !== '' && option.value !== 'builtin') profile = 'custom';
  else profile = engineHasSeccomp ? 'default' : 'unconfined';
  return { mode: profile === 'unconfined' ? 'disabled' : 'filter', profile, filters: null };
}

/**
 * The custom seccomp profile's rules, where the engine reports them: the docker CLI inlines the profile file's JSON
 * into HostConfig.SecurityOpt ("seccomp={...}"). A path (Podman) or anything that is not a profile gives null.
 */
export async function customSeccompProfile(inspect: InspectDocument): Promise<SeccompProfileDocument | null> {
  const option = securityOptions(inspect).find((o) => o.key === 'seccomp');
  if (!option || !option.value.startsWith('{')) return null;
  // The profile's schema (and zod) load only for such a container: a scan of the others never needs them.
  const { parseSeccompProfile } = await import('../operations/seccomp-profile.js');
  return parseSeccompProfile(option.value);
}

export function noNewPrivilegesFromConfig(inspect: InspectDocument): boolean {
  const option = securityOptions(inspect).find((o) => o.key === 'no-new-privileges');
  return option !== undefined && (option.value === '' || option.value === 'true');
}

export function cgroupFromConfig(inspect: InspectDocument, engine: EngineInfo): ContainerIsolation['cgroup'] {
  const host = inspect.HostConfig;
  const memory = host.Memory && host.Memory > 0 ? host.Memory : null;
  let cpuQuotaCores: number | null = null;
  if (host.NanoCpus && host.NanoCpus > 0) cpuQuotaCores = host.NanoCpus / 1e9;
  else if (host.CpuQuota && host.CpuQuota > 0) cpuQuotaCores = host.CpuQuota / (host.CpuPeriod && host.CpuPeriod > 0 ? host.CpuPeriod : 100_000);
  const pids = host.PidsLimit && host.PidsLimit > 0 ? host.PidsLimit : null;
  // --cpu-shares (0 = not set, the kernel default). On v2 runc converts shares to cpu.weight: 1 + (shares − 2) × 9999 / 262142.
  const shares = host.CpuShares && host.CpuShares > 0 ? host.CpuShares : null;
  return {
    version: engine.cgroupVersion,
    path: null,
    memoryLimitBytes: memory,
    cpuQuotaCores,
    cpusetCpus: host.CpusetCpus ? host.CpusetCpus : null,
    pidsLimit: pids,
    cpuShares: engine.cgroupVersion === 1 ? (shares ?? 1024) : null,
    cpuWeight: engine.cgroupVersion === 2 ? (shares === null ? 100 : Math.floor(1 + ((shares - 2) * 9999) / 262142)) : null,
    // What an ancestor cgroup (a parent slice, --cgroup-parent) imposes is only in cgroupfs.
    effective: null,
  };
}

function propagationFromConfig(value: string | null | undefined): Mount['propagation'] {
  switch (value) {
    case 'shared':
    case 'rshared':
      return 'shared';
    case 'slave':
    case 'rslave':
      return 'slave';
    case 'private':
    case 'rprivate':
      return 'private';
    default:
      return null;
  }
}

export function mountsFromConfig(inspect: InspectDocument): Mount[] {
  const mounts: Mount[] = [];
  for (const m of inspect.Mounts ?? []) {
    const type = m.Type ?? 'bind';
    const hostPath = m.Source ?? '';
    const sensitivity = type === 'bind' ? hostPathSensitivity(hostPath) : { sensitive: false, reason: null };
    mounts.push({
      type,
      source: type === 'volume' ? (m.Name ?? hostPath) : hostPath,
      destination: m.Destination,
      readOnly: !m.RW,
      propagation: propagationFromConfig(m.Propagation),
      sensitive: sensitivity.sensitive,
      sensitiveReason: sensitivity.reason,
      origin: 'engine',
    });
  }
  const tmpfs = (inspect.HostConfig as { Tmpfs?: Record<string, string> | null }).Tmpfs ?? {};
  for (const [destination, options] of Object.entries(tmpfs)) {
    if (mounts.some((m) => m.destination === destination)) continue;
    mounts.push({
      type: 'tmpfs',
      source: 'tmpfs',
      destination,
      readOnly: options.split(',').includes('ro'),
      propagation: null,
      sensitive: false,
      sensitiveReason: null,
      origin: 'engine',
    });
  }
  const engineFiles: Array<[string | null | undefined, string]> = [
    [inspect.HostsPath, '/etc/hosts'],
    [inspect.HostnamePath, '/etc/hostname'],
    [inspect.ResolvConfPath, '/etc/resolv.conf'],
  ];
  for (const [source, destination] of engineFiles) {
    if (!source || mounts.some((m) => m.destination === destination)) continue;
    mounts.push({ type: 'bind', source, destination, readOnly: false, propagation: null, sensitive: false, sensitiveReason: null, origin: 'engine-file' });
  }
  return mounts;
}

export function portsFromConfig(inspect: InspectDocument): Port[] {
  const ports: Port[] = [];
  const bindings = (inspect.NetworkSettings?.Ports ?? {}) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  for (const [key, list] of Object.entries(bindings)) {
    const [port, protocol = 'tcp'] = key.split('/');
    const containerPort = Number(port);
    if (!list || !Number.isInteger(containerPort)) continue;
    for (const binding of list) {
      const hostPort = Number(binding.HostPort);
      if (!Number.isInteger(hostPort)) continue;
      ports.push({
        hostIp: binding.HostIp === '' ? '0.0.0.0' : binding.HostIp,
        hostPort,
        containerPort,
        protocol: protocol === 'udp' || protocol === 'sctp' ? protocol : 'tcp',
      });
    }
  }
  return ports.sort((a, b) => a.hostPort - b.hostPort || compareText(a.hostIp, b.hostIp));
}

function healthcheckFromConfig(inspect: InspectDocument): ContainerIsolation['healthcheck'] {
  const test = (inspect.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test;
  if (!test || test.length === 0 || test[0] === 'NONE') return null;
  return { test };
}

/**
 * The runtime as the engine names it. Podman's compatible API says "oci" in HostConfig.Runtime for every container and
 * names the binary in OCIRuntime (libpod) or only as the engine's default; Docker names the runtime itself.
 */
export function runtimeFromConfig(inspect: InspectDocument, engine: EngineInfo): ContainerRuntime {
  const declared = inspect.HostConfig.Runtime ?? null;
  const name = declared && declared !== 'oci' ? declared : (inspect.OCIRuntime ?? engine.defaultRuntime ?? declared);
  const registered = name === null ? undefined : engine.runtimes?.[name];
  const path = registered?.path ?? null;
  const runtimeArguments = registered?.arguments ?? [];
  const { kind, isolation, detail } = classifyRuntime(name, path);
  const evidence: ContainerRuntime['evidence'] = [{ fact: 'runtime.name', value: name, source: 'config' }];
  if (path !== null) evidence.push({ fact: 'runtime.path', value: path, source: 'config' });
  if (runtimeArguments.length > 0) evidence.push({ fact: 'runtime.arguments', value: runtimeArguments, source: 'config' });
  return { name, path, arguments: runtimeArguments, kind, isolation, detail, evidence, sandbox: null };
}

/** The whole document as the engine's configuration describes it; the kernel overlay replaces what it can read. */
export function describeFromConfig(inspect: InspectDocument, engine: EngineInfo): ContainerIsolation {
  const host = inspect.HostConfig;
  const apparmor = inspect.AppArmorProfile ? inspect.AppArmorProfile : null;
  const selinux = (inspect as { ProcessLabel?: string }).ProcessLabel || null;
  const ids = configuredIds(inspect.Config.User ?? '');
  const namespaces = namespacesFromConfig(inspect, engine);
  const sources: Record<string, 'kernel' | 'config'> = {};
  for (const fact of ['runtime', 'user', 'capabilities', 'seccomp', 'noNewPrivileges', 'lsm', 'cgroup', 'mounts', 'readOnlyRootfs']) {
    sources[fact] = 'config';
  }
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    image: inspect.Config.Image,
    imageId: inspect.Image || null,
    command: [inspect.Path, ...(inspect.Args ?? [])].filter((part): part is string => typeof part === 'string' && part !== ''),
    state: inspect.State.Status,
    pid: inspect.State.Pid && inspect.State.Pid > 0 ? inspect.State.Pid : null,
    createdAt: inspect.Created || null,
    startedAt: inspect.State.StartedAt || null,
    labels: { ...(inspect.Config.Labels ?? {}) },
    envNames: (inspect.Config.Env ?? []).map((entry) => entry.split('=')[0] ?? '').filter((name) => name !== ''),
    privileged: host.Privileged === true,
    runtime: runtimeFromConfig(inspect, engine),
    readOnlyRootfs: host.ReadonlyRootfs === true,
    user: {
      uid: ids.uid,
      gid: ids.gid,
      uidInContainer: ids.uid,
      gidInContainer: ids.gid,
      userns: namespaces.user.sharedWithHost === null ? null : namespaces.user.sharedWithHost ? 'host' : 'private',
      configured: inspect.Config.User ?? '',
    },
    namespaces,
    capabilities: capabilitiesFromConfig(inspect, engine),
    seccomp: seccompFromConfig(inspect, engine),
    noNewPrivileges: noNewPrivilegesFromConfig(inspect),
    lsm: { apparmor, selinux },
    cgroup: cgroupFromConfig(inspect, engine),
    mounts: mountsFromConfig(inspect),
    ports: portsFromConfig(inspect),
    devices: ((host.Devices ?? []) as Array<{ PathOnHost: string; PathInContainer: string; CgroupPermissions: string }>).map((d) => ({
      pathOnHost: d.PathOnHost,
      pathInContainer: d.PathInContainer,
      permissions: d.CgroupPermissions,
    })),
    deviceCgroupRules: (host as { DeviceCgroupRules?: string[] | null }).DeviceCgroupRules ?? [],
    network: {
      mode: host.NetworkMode ?? '',
      networks: Object.entries(inspect.NetworkSettings?.Networks ?? {}).map(([name, network]) => ({
        name,
        ipAddress: network?.IPAddress ? network.IPAddress : null,
      })),
    },
    restartPolicy: {
      name: host.RestartPolicy?.Name || 'no',
      maximumRetryCount: host.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    healthcheck: healthcheckFromConfig(inspect),
    sources,
    mismatches: [],
    gaps: [],
    operations: [],
    findings: [],
    score: null,
    grade: null,
  };
}
