// Sandboxed runtimes (gVisor, Kata): the container's PID is the sandbox, not the workload, so its kernel facts describe the sandbox.
import { decodeCapabilityMask } from '../model/capabilities.js';
import type {
  ContainerIsolation,
  ContainerRuntime,
  EngineInfo,
  Gap,
  NamespaceKind,
  SandboxProcess,
} from '../model/schema.js';
import { NAMESPACE_KINDS } from '../model/vocabulary.js';
import { diffAgainstDefault } from './config.js';
import { classifyRuntime, runscFlag, sandboxKindOfCommand } from '../engine/runtime.js';
import type { KernelFacts } from '../kernel/facts.js';
import type { ReadFailure } from '../kernel/read.js';
import { isIdentityMap } from '../kernel/userns.js';

/** argv[0] of /proc/PID/cmdline (NUL-separated). */
export function argv0Of(cmdline: string): string {
  return cmdline.split('\0')[0] ?? '';
}

/**
 * The runtime with what the kernel shows: an unknown runtime name whose process is a known sandbox (gVisor's
 * runsc-sandbox) is that sandbox; the sandbox process is recorded with its own credentials and confinement.
 * `argv0` is null when the runtime runs the workload on the host's kernel (not read) or cmdline was unreadable.
 */
export function runtimeWithKernel(runtime: ContainerRuntime, facts: KernelFacts, pid: number, argv0: string | null): ContainerRuntime {
  const marker = argv0 === null ? null : sandboxKindOfCommand(argv0);
  let result = runtime;
  if (marker !== null && runtime.kind !== marker) {
    const known = classifyRuntime(marker === 'gvisor' ? 'runsc' : 'kata', null);
    result = { ...runtime, kind: known.kind, isolation: known.isolation, detail: known.detail };
  }
  if (result.isolation === 'shared-kernel') return result;
  const status = facts.status.ok ? facts.status.value : null;
  const sandbox: SandboxProcess = {
    pid,
    command: argv0 ?? status?.name ?? '',
    uid: status?.uid.effective ?? null,
    userns: facts.uidMap.ok ? (isIdentityMap(facts.uidMap.value) ? 'host' : 'private') : null,
    capabilitiesEffective: status ? decodeCapabilityMask(status.capEffective) : null,
    seccompMode: status?.seccompMode ?? null,
    noNewPrivileges: status?.noNewPrivileges ?? null,
  };
  const evidence = [...result.evidence];
  if (argv0 !== null) evidence.push({ fact: 'runtime.sandbox.command', value: argv0, source: 'kernel' });
  return { ...result, evidence, sandbox };
}

/** Why the workload's own facts are the engine's configuration under this runtime. */
export function sandboxReason(runtime: ContainerRuntime): string {
  const what = runtime.kind === 'gvisor' ? 'gVisor\'s user-space kernel' : 'a guest kernel in a virtual machine';
  const process = runtime.sandbox?.command ? ` (${runtime.sandbox.command})` : '';
  return `the container runs under ${runtime.name ?? runtime.kind} on ${what}: the host's /proc shows the sandbox process${process}, not the workload, so this fact comes from the engine configuration (what the sandbox applies inside); the host-side confinement is in runtime.sandbox`;
}

/**
 * The kernel facts that still describe the container under a sandbox: its cgroup (the sandbox process is in the
 * container's cgroup, so the limits are real). Everything about the workload's process is replaced by a failure, so
 * the overlay keeps the configuration with one gap per fact.
 */
export function factsForSandbox(facts: KernelFacts, runtime: ContainerRuntime): KernelFacts {
  const failure: ReadFailure = { ok: false, reason: 'other', message: sandboxReason(runtime) };
  return {
    ...facts,
    status: failure,
    namespaces: Object.fromEntries(NAMESPACE_KINDS.map((kind) => [kind, failure])) as Record<NamespaceKind, ReadFailure>,
    mountinfo: failure,
    lsm: failure,
    uidMap: failure,
  };
}

/** One gap for all namespaces instead of eight with the same reason. */
export function collapseSandboxGaps(doc: ContainerIsolation, runtime: ContainerRuntime): ContainerIsolation {
  const reason = sandboxReason(runtime);
  const gaps: Gap[] = [];
  let namespaces = false;
  for (const gap of doc.gaps) {
    if (gap.reason === reason && gap.fact.startsWith('namespaces.')) {
      if (!namespaces) gaps.push({ fact: 'namespaces', reason });
      namespaces = true;
    } else {
      gaps.push(gap);
    }
  }
  return { ...doc, gaps };
}

/**
 * What gVisor applies to the workload, beyond the configuration: runsc removes CAP_NET_RAW unless started with
 * --net-raw, and loads the engine's seccomp profile inside only with --oci-seccomp. The seccomp filter the host kernel
 * applies is runsc's own, on the sandbox process: that is the document's seccomp under gVisor (profile "sandbox").
 */
export function applyGvisor(doc: ContainerIsolation, facts: KernelFacts, engine: EngineInfo): ContainerIsolation {
  const runtime = doc.runtime;
  if (runtime?.kind !== 'gvisor') return doc;
  const result = structuredClone(doc);
  if (result.capabilities && !runscFlag(runtime.arguments, 'net-raw')) {
    const without = (names: string[]) => names.filter((name) => name !== 'CAP_NET_RAW');
    const { effective, permitted, bounding, inheritable, ambient } = result.capabilities;
    const kept = without(bounding);
    result.capabilities = {
      effective: without(effective),
      permitted: without(permitted),
      bounding: kept,
      inheritable: without(inheritable),
      ambient: without(ambient),
      ...diffAgainstDefault(kept, engine),
    };
  }
  if (facts.status.ok && facts.status.value.seccompMode !== null) {
    result.seccomp = { mode: facts.status.value.seccompMode, profile: 'sandbox', filters: facts.status.value.seccompFilters };
    result.sources.seccomp = 'kernel';
    result.gaps = result.gaps.filter((gap) => gap.fact !== 'seccomp');
  }
  return result;
}
