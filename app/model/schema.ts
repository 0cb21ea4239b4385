// The Isolens document: one zod schema per concept, the single source of the types and of docs/isolens.schema.json.
import * as z from 'zod';
import { SEVERITY_LEVELS } from './severity.js';
import { NAMESPACE_KINDS, OPERATION_IDS, OPERATION_LAYERS, SCHEMA_VERSION } from './vocabulary.js';

// The fixed lists live in vocabulary.ts (zod-free, for the scan path); re-exported here for everything else.
export { NAMESPACE_KINDS, OPERATION_IDS, OPERATION_LAYERS, SCHEMA_VERSION, SEVERITIES } from './vocabulary.js';

/** Where a fact was read: the kernel (/proc, cgroupfs) or the engine's configuration (inspect). */
export const FactSource = z.enum(['kernel', 'config']);
export type FactSource = z.infer<typeof FactSource>;

export const NamespaceKind = z.enum(NAMESPACE_KINDS);
export type NamespaceKind = z.infer<typeof NamespaceKind>;

/** A fact Isolens could not establish, and why, in words a user can act on. */
export const Gap = z.object({
  fact: z.string().describe('Dotted path of the fact that is null or degraded, e.g. "namespaces.pid" or "capabilities"'),
  reason: z.string(),
});
export type Gap = z.infer<typeof Gap>;

/** The engine said one thing and the kernel shows another; the kernel's value is the one reported in the fact. */
export const Mismatch = z.object({
  fact: z.string(),
  kernel: z.unknown(),
  config: z.unknown(),
});
export type Mismatch = z.infer<typeof Mismatch>;

export const Namespace = z.object({
  inode: z.number().int().nullable().describe('Inode of /proc/PID/ns/<kind>; null when the kernel could not be read'),
  sharedWithHost: z.boolean().nullable(),
  source: FactSource,
  mode: z.string().nullable().describe('What the engine was asked for: "host", "private", "container:<id>", "" (engine default)'),
});
export type Namespace = z.infer<typeof Namespace>;

export const Namespaces = z.object({
  pid: Namespace, net: Namespace, ipc: Namespace, uts: Namespace,
  mnt: Namespace, user: Namespace, cgroup: Namespace, time: Namespace,
});
export type Namespaces = z.infer<typeof Namespaces>;

const CapabilityName = z.string().regex(/^CAP_[A-Z0-9_]+$/);
export const Capabilities = z.object({
  effective: z.array(CapabilityName),
  permitted: z.array(CapabilityName),
  bounding: z.array(CapabilityName),
  inheritable: z.array(CapabilityName),
  ambient: z.array(CapabilityName),
  addedVsDefault: z.array(CapabilityName).describe('In the bounding set but not in the engine\'s default set'),
  droppedVsDefault: z.array(CapabilityName).describe('In the engine\'s default set but not in the bounding set'),
});
export type Capabilities = z.infer<typeof Capabilities>;

export const SeccompMode = z.enum(['disabled', 'strict', 'filter']);
/** 'sandbox': the filter a sandboxed runtime (gVisor) puts on its own host-side process, which is what the host kernel applies. */
export const SeccompProfile = z.enum(['default', 'unconfined', 'custom', 'sandbox']);
export const Seccomp = z.object({
  mode: SeccompMode.nullable(),
  profile: SeccompProfile.nullable(),
  filters: z.number().int().nullable().describe('Seccomp_filters from /proc/PID/status (kernel 5.9+)'),
});
export type Seccomp = z.infer<typeof Seccomp>;

export const Lsm = z.object({
  apparmor: z.string().nullable().describe('AppArmor profile, e.g. "docker-default (enforce)" or "unconfined"'),
  selinux: z.string().nullable().describe('SELinux context, e.g. "system_u:system_r:container_t:s0:c1,c2"'),
});

export const User = z.object({
  uid: z.number().int().nullable().describe('Effective uid of the main process as seen from the host'),
  gid: z.number().int().nullable(),
  uidInContainer: z.number().int().nullable().describe('Effective uid inside the container\'s user namespace'),
  // Optional so hand-built documents (fixtures, older snapshots) stay valid; the collector always sets it.
  gidInContainer: z.number().int().nullable().optional().describe('Effective gid inside the container\'s user namespace'),
  userns: z.enum(['host', 'private']).nullable(),
  configured: z.string().describe('The engine\'s User setting ("" = image default)'),
});
export type User = z.infer<typeof User>;

export const EffectiveLimit = z.object({
  value: z.number().nullable().describe('The tightest limit over the container\'s cgroup and its ancestors; null = no level limits it'),
  setBy: z.string().nullable().describe('cgroup path of the level that sets it: the container\'s own (= path) or an ancestor\'s (a parent slice, --cgroup-parent); null when no level does'),
});
export type EffectiveLimit = z.infer<typeof EffectiveLimit>;

export const Cgroup = z.object({
  version: z.union([z.literal(1), z.literal(2)]).nullable(),
  path: z.string().nullable().describe('The container\'s cgroup path relative to the cgroupfs root'),
  memoryLimitBytes: z.number().nullable().describe('null = unlimited'),
  cpuQuotaCores: z.number().nullable().describe('quota / period; null = unlimited'),
  cpusetCpus: z.string().nullable(),
  pidsLimit: z.number().int().nullable().describe('null = unlimited'),
  cpuShares: z.number().int().nullable().describe('CPU priority on cgroup v1: cpu.shares (1024 = the default); null on v2 or unknown'),
  cpuWeight: z.number().int().nullable().describe('CPU priority on cgroup v2: cpu.weight (100 = the default); null on v1 or unknown'),
  // Optional so hand-built documents (fixtures, older snapshots) stay valid; the collector sets it from cgroupfs.
  effective: z
    .object({ memoryLimitBytes: EffectiveLimit, cpuQuotaCores: EffectiveLimit, pidsLimit: EffectiveLimit })
    .nullable()
    .optional()
    .describe('The limits that apply: a parent\'s limit caps its whole subtree, so the lowest over the container\'s cgroup and its ancestors wins. memoryLimitBytes, cpuQuotaCores and pidsLimit above are the container\'s own level. null when cgroupfs was not read'),
});
export type Cgroup = z.infer<typeof Cgroup>;

export const Propagation = z.enum(['private', 'shared', 'slave', 'shared+slave', 'unbindable']);
export const Mount = z.object({
  type: z.string().describe('bind, volume, tmpfs, npipe, or the kernel filesystem type for runtime mounts (overlay, proc, sysfs, cgroup …)'),
  source: z.string().describe('Host path for binds, volume name for volumes, filesystem source otherwise'),
  destination: z.string(),
  readOnly: z.boolean().nullable(),
  propagation: Propagation.nullable(),
  sensitive: z.boolean(),
  sensitiveReason: z.string().nullable(),
  origin: z.enum(['engine', 'runtime', 'engine-file']).describe('engine: declared by the user (-v/--mount/--tmpfs); runtime: set up for every container (/, /proc, /sys, /dev); engine-file: the engine\'s own hosts/hostname/resolv.conf'),
});
export type Mount = z.infer<typeof Mount>;

export const Port = z.object({
  hostIp: z.string(),
  hostPort: z.number().int(),
  containerPort: z.number().int(),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
});
export type Port = z.infer<typeof Port>;

export const Device = z.object({
  pathOnHost: z.string(),
  pathInContainer: z.string(),
  permissions: z.string(),
});
export type Device = z.infer<typeof Device>;

export const Severity = z.enum(SEVERITY_LEVELS);
export type Severity = z.infer<typeof Severity>;

export const Evidence = z.object({
  fact: z.string(),
  value: z.unknown(),
  source: FactSource,
});
export type Evidence = z.infer<typeof Evidence>;

export const Remediation = z.object({
  text: z.string(),
  dockerRun: z.string().nullable().describe('The exact docker run flag(s)'),
  compose: z.string().nullable().describe('The compose service key that does the same'),
});

export const Finding = z.object({
  ruleId: z.string(),
  title: z.string(),
  severity: Severity,
  family: z.string(),
  rationale: z.string(),
  evidence: z.array(Evidence),
  cis: z.string().nullable(),
  attack: z.array(z.string()),
  remediation: Remediation,
});
export type Finding = z.infer<typeof Finding>;

export const OperationId = z.enum(OPERATION_IDS);
export type OperationId = z.infer<typeof OperationId>;

export const OperationLayer = z.enum(OPERATION_LAYERS);
export type OperationLayer = z.infer<typeof OperationLayer>;

/** What an attacker inside could do, and the layers that decide it: computed from the facts, never from the flags. */
export const Operation = z.object({
  id: OperationId,
  verdict: z.enum(['allowed', 'blocked', 'unknown']),
  because: z.array(z.object({ layer: OperationLayer, detail: z.string() })),
});
export type Operation = z.infer<typeof Operation>;

/**
 * The OCI runtime a container runs under and the isolation boundary it gives. Most runtimes (runc, crun) start the
 * workload on the host's kernel; gVisor (runsc) serves its syscalls from a user-space kernel, Kata from a guest kernel
 * in a VM, so the process the host sees for it is the sandbox, not the workload.
 */
export const RuntimeKind = z.enum(['runc', 'crun', 'gvisor', 'kata', 'sysbox', 'other']);
export type RuntimeKind = z.infer<typeof RuntimeKind>;
export const RuntimeIsolation = z.enum(['shared-kernel', 'user-space-kernel', 'virtual-machine']);
export type RuntimeIsolation = z.infer<typeof RuntimeIsolation>;

/** The host-side process of a sandboxed runtime (gVisor's runsc-sandbox, Kata's hypervisor): what the host kernel really confines. */
export const SandboxProcess = z.object({
  pid: z.number().int(),
  command: z.string().describe('argv[0] of the process, e.g. "runsc-sandbox"; attacker-free: written by the runtime'),
  uid: z.number().int().nullable().describe('Effective uid as seen from the host'),
  userns: z.enum(['host', 'private']).nullable(),
  capabilitiesEffective: z.array(CapabilityName).nullable(),
  seccompMode: SeccompMode.nullable(),
  noNewPrivileges: z.boolean().nullable(),
});
export type SandboxProcess = z.infer<typeof SandboxProcess>;

export const ContainerRuntime = z.object({
  name: z.string().nullable().describe('The engine\'s runtime name: HostConfig.Runtime (Docker) or OCIRuntime (Podman), e.g. "runc", "runsc", "kata-runtime"'),
  path: z.string().nullable().describe('The runtime binary the engine registered under that name (docker info Runtimes), when reported'),
  arguments: z.array(z.string()).describe('The arguments the engine passes that runtime (runtimeArgs), e.g. ["--network=none"]'),
  kind: RuntimeKind,
  isolation: RuntimeIsolation,
  detail: z.string().describe('What the boundary is, in plain words'),
  evidence: z.array(Evidence).describe('How the runtime was recognised: its name and path (config) and the sandbox process (kernel)'),
  sandbox: SandboxProcess.nullable().describe('The host-side sandbox process, read from the kernel; null for shared-kernel runtimes or when unreadable'),
});
export type ContainerRuntime = z.infer<typeof ContainerRuntime>;

/** A check that could not be made from where Isolens ran: not a pass. */
export const NotAssessable = z.object({
  ruleId: z.string(),
  title: z.string(),
  fact: z.string().describe('The kernel fact it needs that could not be read'),
  reason: z.string().describe('Why that fact could not be read, in words a user can act on'),
});
export type NotAssessable = z.infer<typeof NotAssessable>;

export const Grade = z.enum(['A', 'B', 'C', 'D', 'E', 'F']);
export type Grade = z.infer<typeof Grade>;

export const ContainerIsolation = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string().nullable(),
  command: z.array(z.string()),
  state: z.string(),
  pid: z.number().int().nullable(),
  createdAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  labels: z.record(z.string(), z.string()).describe('Attacker-controlled text: render as text only'),
  envNames: z.array(z.string()).describe('Names only; values may be secrets and are never collected'),
  privileged: z.boolean(),
  // Optional in the type so hand-built documents and older snapshots stay valid; the collector always sets it.
  runtime: ContainerRuntime.optional().describe('The OCI runtime and the isolation it gives (gVisor, Kata, Sysbox are reported as such); always present in a scan'),
  readOnlyRootfs: z.boolean().nullable(),
  user: User,
  namespaces: Namespaces,
  capabilities: Capabilities.nullable(),
  seccomp: Seccomp,
  noNewPrivileges: z.boolean().nullable(),
  lsm: Lsm,
  cgroup: Cgroup,
  mounts: z.array(Mount),
  ports: z.array(Port),
  devices: z.array(Device),
  deviceCgroupRules: z.array(z.string()),
  network: z.object({
    mode: z.string(),
    networks: z.array(z.object({ name: z.string(), ipAddress: z.string().nullable() })),
  }),
  restartPolicy: z.object({ name: z.string(), maximumRetryCount: z.number().int() }),
  healthcheck: z.object({ test: z.array(z.string()).nullable() }).nullable(),
  sources: z.record(z.string(), FactSource).describe('Where each non-namespace fact came from, by fact path'),
  mismatches: z.array(Mismatch),
  gaps: z.array(Gap),
  // Optional in the type so documents built by hand (fixtures, older snapshots) stay valid; the collector always sets it.
  operations: z.array(Operation).optional().describe('What an attacker inside can do: each operation of the fixed catalogue with its verdict and the layers that decide it; always present in a scan'),
  findings: z.array(Finding),
  // Optional like operations: set by the assessment, absent from facts-only documents.
  notAssessable: z.array(NotAssessable).optional().describe('Checks that did not fire but could not be made from here (a fact they need could not be read): not passes. When nothing was read from the kernel, score and grade are null'),
  score: z.number().min(0).max(100).nullable(),
  grade: Grade.nullable(),
});
export type ContainerIsolation = z.infer<typeof ContainerIsolation>;

/** How the kernel was read for this document. */
export const KernelSourceInfo = z.object({
  kind: z.enum(['local', 'helper', 'none']).describe('local: this machine\'s /proc and cgroupfs; helper: a helper container on the engine (--pid=host); none: no kernel source was possible, kernel facts are not assessable'),
  detail: z.string().describe('Where the files came from, or why none could be read, in words a user can act on'),
});
export type KernelSourceInfo = z.infer<typeof KernelSourceInfo>;

export const EngineKind = z.enum(['docker', 'podman']);
export const EngineInfo = z.object({
  kind: EngineKind.nullable(),
  endpoint: z.string().describe('unix:///var/run/docker.sock, tcp://host:2376 …'),
  endpointSource: z.string().describe('How the endpoint was chosen: --host, DOCKER_HOST, context <name>, default socket …'),
  tls: z.boolean(),
  local: z.boolean().describe('The engine\'s container PIDs are visible in this host\'s /proc'),
  name: z.string().nullable(),
  version: z.string().nullable(),
  apiVersion: z.string().nullable(),
  os: z.string().nullable(),
  kernelVersion: z.string().nullable(),
  rootless: z.boolean().nullable(),
  cgroupVersion: z.union([z.literal(1), z.literal(2)]).nullable(),
  cgroupDriver: z.string().nullable(),
  userNamespaceRemap: z.boolean().nullable(),
  securityOptions: z.array(z.string()),
  liveRestore: z.boolean().nullable(),
  defaultRuntime: z.string().nullable(),
  runtimes: z
    .record(z.string(), z.object({ path: z.string(), arguments: z.array(z.string()) }))
    .optional()
    .describe('The runtimes the engine has registered, by name: binary path and the arguments it passes (docker info Runtimes)'),
  iccOnDefaultBridge: z.boolean().nullable().describe('Inter-container communication on the default bridge'),
  // Optional so engine descriptions made before a scan (connect, fixtures) stay valid; every scan document has it.
  kernelSource: KernelSourceInfo.optional().describe('How the kernel was read (--kernel-source); always present in a scan'),
});
export type EngineInfo = z.infer<typeof EngineInfo>;

export const HostReport = z.object({
  findings: z.array(Finding),
  score: z.number().min(0).max(100).nullable(),
  grade: Grade.nullable(),
});

export const Snapshot = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  generatedAt: z.string(),
  engine: EngineInfo,
  host: HostReport,
  containers: z.array(ContainerIsolation),
  gaps: z.array(Gap).describe('Gaps that concern the whole scan (e.g. one container could not be inspected)'),
});
export type Snapshot = z.infer<typeof Snapshot>;
