// Against which kernel and user namespace a container's capabilities count: the one place rules and operations ask.
import type { ContainerIsolation, ContainerRuntime, RuntimeIsolation, RuntimeKind } from './schema.js';

/**
 * - `host`: the host kernel, in the host's user namespace: CAP_SYS_ADMIN there is host root one step away.
 * - `user-namespace`: the host kernel, but in a user namespace of the container's own (rootless engines, userns-remap,
 *   Sysbox): the kernel checks most capabilities against the initial user namespace, so they give nothing on the
 *   host; the namespaced ones act only on what that namespace owns.
 * - `sandbox`: a kernel that is not the host's (gVisor's user-space kernel, a Kata guest): capabilities act there.
 */
export type CapabilityScope = 'host' | 'user-namespace' | 'sandbox';

export function capabilityScope(c: Pick<ContainerIsolation, 'runtime' | 'user'>): CapabilityScope {
  if (c.runtime && c.runtime.isolation !== 'shared-kernel') return 'sandbox';
  if (c.user.userns === 'private') return 'user-namespace';
  return 'host';
}

/** The words for a scope, for rationales and the UI. */
export function capabilityScopeText(c: Pick<ContainerIsolation, 'runtime' | 'user'>): string {
  switch (capabilityScope(c)) {
    case 'sandbox':
      return c.runtime?.kind === 'gvisor' ? 'gVisor\'s own kernel, not the host\'s' : 'the guest kernel of the container\'s VM, not the host\'s';
    case 'user-namespace':
      return 'the container\'s own user namespace: root there is an unprivileged uid on the host';
    default:
      return 'the host\'s kernel and user namespace';
  }
}

const RUNTIME_NAMES: Partial<Record<RuntimeKind, string>> = { gvisor: 'gVisor', kata: 'Kata', sysbox: 'Sysbox' };
const ISOLATION_WORDS: Record<RuntimeIsolation, string> = { 'user-space-kernel': 'user-space kernel', 'virtual-machine': 'virtual machine', 'shared-kernel': 'host kernel' };

/**
 * The runtime in words when it is not the ordinary runc/crun on the host's kernel, for every UI and report:
 * `{ short: 'gVisor', long: 'runsc (gVisor, user-space kernel)' }`; null for runc and crun.
 */
export function runtimeLabel(runtime: ContainerRuntime | undefined): { short: string; long: string } | null {
  if (!runtime || runtime.kind === 'runc' || runtime.kind === 'crun') return null;
  const label = RUNTIME_NAMES[runtime.kind] ?? 'unknown runtime';
  return {
    short: runtime.kind === 'other' ? `runtime ${runtime.name ?? '?'}` : label,
    long: `${runtime.name ?? runtime.kind} (${label}, ${ISOLATION_WORDS[runtime.isolation]})`,
  };
}
