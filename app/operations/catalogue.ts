// What an attacker inside a container can do: the fixed catalogue of operations, each judged layer by layer from the facts (a pure function).
import { hostFileBinds, mountedEngineSocket } from '../model/sensitive.js';
import type { ContainerIsolation, EffectiveLimit, EngineInfo, Operation, OperationId, OperationLayer } from '../model/schema.js';
import { appliedLimit, limitIsInherited, limitUnknown } from '../model/limits.js';
import { OPERATION_IDS } from '../model/vocabulary.js';
import { defaultProfileFor } from './profiles.js';
import { evaluateSyscall, type SeccompProfileDocument, type SeccompTarget } from './seccomp.js';
import { runscFlag } from '../engine/runtime.js';
import { capabilityScope } from '../model/runtime.js';

/** What a layer says about one operation. */
interface Step {
  layer: OperationLayer;
  says: 'allows' | 'blocks' | 'unknown';
  detail: string;
}

export interface OperationsContext {
  engine: Pick<EngineInfo, 'kind' | 'version' | 'kernelVersion'>;
  /** The custom profile the engine reported (Docker's inspect carries its JSON in SecurityOpt); null when there is none or it is not known. */
  customSeccompProfile: SeccompProfileDocument | null;
  /** Docker's architecture name for the profile's arch conditions. */
  arch?: string;
}

/** x86_64 numbers of the arguments the operations' syscalls are judged with. */
const AF_INET = 2;
const SOCK_RAW = 3;
const IPPROTO_ICMP = 1;
const CLONE_NEWUSER = 0x10000000;

interface OperationSpec {
  id: OperationId;
  judge(c: ContainerIsolation, context: OperationsContext): Step[];
}

const has = (c: ContainerIsolation, capability: string) => c.capabilities?.effective.includes(capability) ?? null;

/** The capability layer for an operation the kernel gates on one capability of the main process. */
function capability(c: ContainerIsolation, name: string, what: string): Step {
  const held = has(c, name);
  if (held === null) return { layer: 'capabilities', says: 'unknown', detail: 'the capability sets could not be read' };
  if (held) return { layer: 'capabilities', says: 'allows', detail: `${name} is in the effective set` };
  const inBounding = c.capabilities!.bounding.includes(name);
  const uid = c.user.uidInContainer ?? c.user.uid;
  const why = !inBounding ? `${name} is not in the bounding set` : uid !== 0 ? `${name} is not in the effective set of the non-root user (uid ${uid})` : `${name} is not in the effective set`;
  return { layer: 'capabilities', says: 'blocks', detail: `${why}: ${what} needs it` };
}

/** A capability that counts only against the host's user namespace (time, kernel modules): a private user namespace makes it void. */
function hostCapability(c: ContainerIsolation, name: string, what: string): Step[] {
  const step = capability(c, name, what);
  if (step.says === 'allows' && c.user.userns === 'private') {
    return [step, { layer: 'user', says: 'blocks', detail: `the container has its own user namespace; ${name} there is not ${name} on the host, which ${what} needs` }];
  }
  return [step];
}

function seccompProfile(c: ContainerIsolation, context: OperationsContext): { profile: SeccompProfileDocument; name: string } | { unknown: string } | null {
  if (c.seccomp.mode === 'disabled') return null;
  if (c.seccomp.mode === null) return { unknown: 'the seccomp mode could not be read' };
  if (c.seccomp.profile === 'custom') {
    return context.customSeccompProfile ? { profile: context.customSeccompProfile, name: 'the custom profile' } : { unknown: 'a custom profile whose rules the engine does not report' };
  }
  if (c.seccomp.profile === 'default') {
    const known = defaultProfileFor(context.engine);
    return known ? { profile: known.profile, name: `the engine's default profile (${known.source})` } : { unknown: `no copy of the default profile of ${context.engine.kind ?? 'this engine'} ${context.engine.version ?? ''} (assets/data/seccomp)`.trim() };
  }
  return { unknown: 'which profile is loaded is not known' };
}

/** The seccomp layer: what the loaded filter does to the syscall(s) the operation needs (the first one decides; the rest are alternatives). */
function seccomp(c: ContainerIsolation, context: OperationsContext, syscall: string, args?: readonly number[]): Step {
  if (c.runtime?.kind === 'gvisor') {
    // The workload's syscalls go to gVisor's kernel; the host filter (profile "sandbox") is on the Sentry's own calls.
    if (runscFlag(c.runtime.arguments, 'oci-seccomp')) return { layer: 'seccomp', says: 'unknown', detail: `${syscall}: runsc loads the engine's profile inside (--oci-seccomp), whose rules are not read here` };
    return { layer: 'seccomp', says: 'allows', detail: `${syscall} is answered by gVisor's kernel, where runsc loads no seccomp profile without --oci-seccomp` };
  }
  if (c.runtime?.isolation === 'virtual-machine') return { layer: 'seccomp', says: 'unknown', detail: `${syscall}: the guest kernel's seccomp filter is not visible from the host` };
  if (c.seccomp.mode === 'strict') return { layer: 'seccomp', says: 'blocks', detail: 'strict mode allows only read, write, exit and sigreturn' };
  const loaded = seccompProfile(c, context);
  if (loaded === null) return { layer: 'seccomp', says: 'allows', detail: `seccomp is off: nothing filters ${syscall}` };
  if ('unknown' in loaded) return { layer: 'seccomp', says: 'unknown', detail: `${syscall}: ${loaded.unknown}` };
  const target: SeccompTarget = { capabilities: c.capabilities?.bounding ?? [], kernelVersion: context.engine.kernelVersion, arch: context.arch ?? 'amd64' };
  const decision = evaluateSyscall(loaded.profile, syscall, target, args);
  const says = decision.action === 'allow' ? 'allows' : decision.action === 'deny' ? 'blocks' : 'unknown';
  return { layer: 'seccomp', says, detail: `${decision.detail} — ${loaded.name}` };
}

function apparmorMount(c: ContainerIsolation): Step | null {
  const profile = c.lsm.apparmor;
  if (profile === null || /^unconfined\b/.test(profile)) return null;
  // docker-default's template has "deny mount,"; another profile's rules are not known here.
  if (/^docker-default\b/.test(profile)) return { layer: 'lsm', says: 'blocks', detail: 'AppArmor docker-default denies mount' };
  return { layer: 'lsm', says: 'unknown', detail: `AppArmor profile ${profile}: its mount rules are not known` };
}

const root = (c: ContainerIsolation) => (c.user.uidInContainer ?? c.user.uid) === 0;

function nnpNote(c: ContainerIsolation, capabilityName: string): Step[] {
  // The verdict is the main process's; a setuid or file-capability binary could still raise a non-root user to the bounding set.
  if (c.noNewPrivileges === false && !root(c) && c.capabilities?.bounding.includes(capabilityName) && !c.capabilities.effective.includes(capabilityName)) {
    return [{ layer: 'no-new-privileges', says: 'unknown', detail: `no-new-privileges is off and ${capabilityName} is in the bounding set: a setuid-root binary in the image would regain it` }];
  }
  return [];
}

const hostBinds = (c: ContainerIsolation) => hostFileBinds(c.mounts);
const describeMount = (m: { source: string; destination: string; readOnly: boolean | null }) => `${m.source} → ${m.destination}${m.readOnly ? ' (ro)' : ''}`;

const OPERATIONS: readonly OperationSpec[] = [
  {
    id: 'mount',
    judge: (c, x) => [capability(c, 'CAP_SYS_ADMIN', 'mount'), seccomp(c, x, 'mount'), ...(apparmorMount(c) ? [apparmorMount(c)!] : []), ...nnpNote(c, 'CAP_SYS_ADMIN')],
  },
  {
    id: 'unshare-user',
    judge: (c, x) => [
      seccomp(c, x, 'unshare', [CLONE_NEWUSER]),
      { layer: 'capabilities', says: 'allows', detail: 'a new user namespace needs no capability; the kernel allows it unless user.max_user_namespaces is 0' },
    ],
  },
  {
    id: 'raw-socket',
    judge: (c, x) => [capability(c, 'CAP_NET_RAW', 'a raw socket'), seccomp(c, x, 'socket', [AF_INET, SOCK_RAW, IPPROTO_ICMP]), ...nnpNote(c, 'CAP_NET_RAW')],
  },
  {
    id: 'mknod',
    judge: (c, x) => [
      capability(c, 'CAP_MKNOD', 'creating a device node'),
      seccomp(c, x, 'mknodat'),
      { layer: 'cgroup', says: 'allows', detail: c.privileged || c.deviceCgroupRules.length > 0 ? 'the device cgroup allows extra devices (privileged or device cgroup rules)' : 'the device cgroup still limits which devices a node may be made for (the default set: null, zero, random, tty …)' },
    ],
  },
  {
    id: 'chown-any-file',
    judge: (c, x) => [capability(c, 'CAP_CHOWN', 'giving a file to another user'), seccomp(c, x, 'fchownat'), ...nnpNote(c, 'CAP_CHOWN')],
  },
  {
    id: 'set-hostname',
    judge: (c, x) => {
      const steps = [capability(c, 'CAP_SYS_ADMIN', 'sethostname'), seccomp(c, x, 'sethostname')];
      const shared = c.namespaces.uts.sharedWithHost;
      steps.push(shared === true ? { layer: 'namespaces', says: 'allows', detail: 'the UTS namespace is the host\'s: the new name is the host\'s' } : { layer: 'namespaces', says: 'allows', detail: 'the UTS namespace is the container\'s own: only its own name changes' });
      return steps;
    },
  },
  {
    id: 'set-time',
    judge: (c, x) => [
      ...hostCapability(c, 'CAP_SYS_TIME', 'setting the clock'),
      seccomp(c, x, 'clock_settime'),
      { layer: 'namespaces', says: 'allows', detail: 'the clock is not namespaced: setting it sets the host\'s' },
    ],
  },
  {
    id: 'load-kernel-module',
    judge: (c, x) => [...hostCapability(c, 'CAP_SYS_MODULE', 'loading a kernel module'), seccomp(c, x, 'finit_module')],
  },
  {
    id: 'ptrace',
    judge: (c, x) => {
      const sysPtrace = has(c, 'CAP_SYS_PTRACE');
      const hostPid = c.namespaces.pid.sharedWithHost === true;
      return [
        seccomp(c, x, 'ptrace'),
        {
          layer: 'capabilities',
          says: 'allows',
          detail: sysPtrace ? 'CAP_SYS_PTRACE is in the effective set: any process it can see' : 'without CAP_SYS_PTRACE only processes of its own uid (and what the Yama ptrace scope allows)',
        },
        { layer: 'namespaces', says: 'allows', detail: hostPid ? 'the PID namespace is the host\'s: host processes are in reach' : 'only the container\'s own processes are visible' },
      ];
    },
  },
  {
    id: 'bpf',
    judge: (c, x) => {
      const held = has(c, 'CAP_BPF') || has(c, 'CAP_SYS_ADMIN');
      const steps: Step[] = [seccomp(c, x, 'bpf')];
      if (c.capabilities === null) steps.push({ layer: 'capabilities', says: 'unknown', detail: 'the capability sets could not be read' });
      else if (held) steps.push(...hostCapability(c, has(c, 'CAP_BPF') ? 'CAP_BPF' : 'CAP_SYS_ADMIN', 'loading BPF programs'));
      else steps.push({ layer: 'capabilities', says: 'unknown', detail: 'neither CAP_BPF nor CAP_SYS_ADMIN: only unprivileged BPF, which kernel.unprivileged_bpf_disabled decides on the host' });
      return steps;
    },
  },
  {
    id: 'see-host-processes',
    judge: (c) => {
      const shared = c.namespaces.pid.sharedWithHost;
      if (shared === null) return [{ layer: 'namespaces', says: 'unknown', detail: 'whether the PID namespace is the host\'s could not be read' }];
      return [{ layer: 'namespaces', says: shared ? 'allows' : 'blocks', detail: shared ? 'the PID namespace is the host\'s: /proc lists every host process' : 'the container has its own PID namespace' }];
    },
  },
  {
    id: 'signal-host-processes',
    judge: (c) => {
      const shared = c.namespaces.pid.sharedWithHost;
      if (shared === null) return [{ layer: 'namespaces', says: 'unknown', detail: 'whether the PID namespace is the host\'s could not be read' }];
      if (!shared) return [{ layer: 'namespaces', says: 'blocks', detail: 'the container has its own PID namespace: host processes have no PID in it' }];
      const steps: Step[] = [{ layer: 'namespaces', says: 'allows', detail: 'the PID namespace is the host\'s' }];
      if (has(c, 'CAP_KILL')) steps.push({ layer: 'capabilities', says: 'allows', detail: 'CAP_KILL is in the effective set: any host process' });
      else if (root(c) && c.user.userns !== 'private') steps.push({ layer: 'user', says: 'allows', detail: 'uid 0 is the host\'s root: every root-owned host process' });
      else steps.push({ layer: 'user', says: 'blocks', detail: `without CAP_KILL uid ${c.user.uid} may signal only its own processes, not the host's root-owned ones` });
      return steps;
    },
  },
  {
    id: 'read-host-files',
    judge: (c, x) => {
      const mounts = hostBinds(c);
      if (mounts.length > 0) {
        const who = root(c) ? { layer: 'user' as const, says: 'allows' as const, detail: 'root reads what the host\'s root can' } : { layer: 'user' as const, says: 'allows' as const, detail: `uid ${c.user.uid} reads what the host's file modes let others read` };
        return [{ layer: 'mounts', says: 'allows', detail: `host paths are mounted: ${mounts.map(describeMount).join(', ')}` }, who];
      }
      // Both routes need the capability in the host's user namespace, on the host's kernel (app/model/runtime.ts).
      const onHost = capabilityScope(c) === 'host';
      if (onHost && has(c, 'CAP_DAC_READ_SEARCH')) {
        const step = seccomp(c, x, 'open_by_handle_at');
        if (step.says !== 'blocks') return [{ layer: 'capabilities', says: 'allows', detail: 'CAP_DAC_READ_SEARCH opens any host file by handle (open_by_handle_at)' }, step];
      }
      if (onHost && c.namespaces.pid.sharedWithHost === true && has(c, 'CAP_SYS_PTRACE')) {
        return [{ layer: 'namespaces', says: 'allows', detail: 'the host\'s PID namespace with CAP_SYS_PTRACE: /proc/1/root is the host\'s filesystem' }];
      }
      return [{ layer: 'mounts', says: 'blocks', detail: 'no sensitive host path is mounted, and no capability reaches the host\'s files' }];
    },
  },
  {
    id: 'write-host-files',
    judge: (c) => {
      const mounts = hostBinds(c);
      if (mounts.length === 0) return [{ layer: 'mounts', says: 'blocks', detail: 'no sensitive host path is mounted' }];
      const writable = mounts.filter((m) => m.readOnly === false);
      if (writable.length === 0) {
        return [{ layer: 'mounts', says: mounts.some((m) => m.readOnly === null) ? 'unknown' : 'blocks', detail: `the host paths are mounted read-only: ${mounts.map(describeMount).join(', ')}` }];
      }
      const steps: Step[] = [{ layer: 'mounts', says: 'allows', detail: `mounted read-write: ${writable.map(describeMount).join(', ')}` }];
      if (root(c) && c.user.userns !== 'private') steps.push({ layer: 'user', says: 'allows', detail: 'uid 0 owns the host\'s root-owned files' });
      else steps.push({ layer: 'user', says: 'unknown', detail: `uid ${c.user.uid} writes only where the host's file modes let it` });
      return steps;
    },
  },
  {
    id: 'control-engine',
    judge: (c) => {
      const sockets = c.mounts.filter((m) => m.origin === 'engine' && m.type !== 'volume' && m.type !== 'tmpfs' && mountedEngineSocket(m) !== null);
      if (sockets.length === 0) return [{ layer: 'mounts', says: 'blocks', detail: 'no engine socket is mounted' }];
      const steps: Step[] = [{ layer: 'mounts', says: 'allows', detail: `engine socket mounted: ${sockets.map(describeMount).join(', ')} (read-only does not stop a connect)` }];
      if (root(c) && c.user.userns !== 'private') steps.push({ layer: 'user', says: 'allows', detail: 'root may connect to the root-owned socket' });
      else steps.push({ layer: 'user', says: 'unknown', detail: `uid ${c.user.uid} may connect only if the socket's mode or group allows it` });
      return steps;
    },
  },
  {
    id: 'exhaust-host-memory',
    judge: (c) => {
      if (limitUnknown(c, 'memoryLimitBytes')) return [{ layer: 'cgroup', says: 'unknown', detail: 'the memory limit could not be read' }];
      const limit = appliedLimit(c, 'memoryLimitBytes');
      if (limit.value === null) return [{ layer: 'cgroup', says: 'allows', detail: 'no memory limit on its cgroup or any ancestor: it can take the host\'s memory' }];
      return [{ layer: 'cgroup', says: 'blocks', detail: `memory limit ${Math.round(limit.value / 1048576)} MiB${setBy(c, limit)}: the OOM killer stops it there` }];
    },
  },
  {
    id: 'fork-bomb',
    judge: (c) => {
      if (limitUnknown(c, 'pidsLimit')) return [{ layer: 'cgroup', says: 'unknown', detail: 'the PID limit could not be read' }];
      const limit = appliedLimit(c, 'pidsLimit');
      if (limit.value === null) return [{ layer: 'cgroup', says: 'allows', detail: 'no PID limit on its cgroup or any ancestor: it can fill the host\'s process table' }];
      return [{ layer: 'cgroup', says: 'blocks', detail: `PID limit ${limit.value}${setBy(c, limit)}: forks fail beyond it` }];
    },
  },
];

/** " (set by the ancestor cgroup /x)" when the limit is not the container's own. */
function setBy(c: ContainerIsolation, limit: EffectiveLimit): string {
  return limitIsInherited(c, limit) ? `, set by the ancestor cgroup ${limit.setBy} (shared with its other children)` : '';
}

/** The verdict from the layers: any block decides; else any unknown; else allowed. `because` lists the deciding layers first. */
function verdictOf(id: OperationId, steps: readonly Step[]): Operation {
  const blocking = steps.filter((s) => s.says === 'blocks');
  const unknown = steps.filter((s) => s.says === 'unknown');
  const strip = ({ layer, detail }: Step) => ({ layer, detail });
  // A setuid binary that could regain the capability is worth knowing next to the block.
  if (blocking.length > 0) return { id, verdict: 'blocked', because: [...blocking, ...unknown.filter((s) => s.layer === 'no-new-privileges')].map(strip) };
  if (unknown.length > 0) return { id, verdict: 'unknown', because: [...unknown, ...steps.filter((s) => s.says === 'allows')].map(strip) };
  return { id, verdict: 'allowed', because: steps.map(strip) };
}

/** Operations whose target is the host kernel itself (its clock, modules, BPF, processes): a sandbox's kernel stands in between. */
const HOST_KERNEL_OPERATIONS: ReadonlySet<OperationId> = new Set(['set-time', 'load-kernel-module', 'bpf', 'see-host-processes', 'signal-host-processes']);
/** Operations that act on the kernel the container runs on: under a sandbox, on the sandbox's kernel only. */
const SANDBOX_KERNEL_OPERATIONS: ReadonlySet<OperationId> = new Set(['mount', 'unshare-user', 'raw-socket', 'mknod', 'chown-any-file', 'set-hostname', 'ptrace']);

/** The runtime layer: under gVisor or Kata the workload's kernel is not the host's (app/model/runtime.ts). */
function runtimeSteps(c: ContainerIsolation, id: OperationId): Step[] {
  const runtime = c.runtime;
  if (!runtime || runtime.isolation === 'shared-kernel') return [];
  const kernel = runtime.kind === 'gvisor' ? 'gVisor\'s user-space kernel' : 'the VM\'s guest kernel';
  if (HOST_KERNEL_OPERATIONS.has(id)) return [{ layer: 'runtime', says: 'blocks', detail: `${runtime.name ?? runtime.kind}: the workload's system calls reach ${kernel}, not the host's, which this needs` }];
  if (SANDBOX_KERNEL_OPERATIONS.has(id)) return [{ layer: 'runtime', says: 'allows', detail: `${runtime.name ?? runtime.kind}: it acts on ${kernel} only, not on the host's` }];
  return [];
}

/** Every operation of the catalogue for one container, in catalogue order. Pure: the same facts give the same answer. */
export function computeOperations(container: ContainerIsolation, context: OperationsContext): Operation[] {
  return OPERATIONS.map((spec) => verdictOf(spec.id, [...runtimeSteps(container, spec.id), ...spec.judge(container, context)]));
}

export { OPERATION_IDS };
