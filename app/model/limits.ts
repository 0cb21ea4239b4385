// The resource limit that applies to a container: the tightest over its cgroup and its ancestors, and who sets it.
import type { ContainerIsolation, EffectiveLimit } from './schema.js';

export type LimitKey = 'memoryLimitBytes' | 'cpuQuotaCores' | 'pidsLimit';

/** From cgroup.effective where the collector read the ancestors; a hand-built or config-only document has its own level. */
export function appliedLimit(container: ContainerIsolation, key: LimitKey): EffectiveLimit {
  const effective = container.cgroup.effective?.[key];
  if (effective) return effective;
  const own = container.cgroup[key];
  return { value: own, setBy: own === null ? null : container.cgroup.path };
}

/** Whether the limit comes from an ancestor (a parent slice, --cgroup-parent) rather than the container's own cgroup. */
export function limitIsInherited(container: ContainerIsolation, limit: EffectiveLimit): boolean {
  return limit.setBy !== null && limit.setBy !== container.cgroup.path;
}

/** The could-not-be-read gaps that make a limit unknown rather than absent. */
export function limitUnknown(container: ContainerIsolation, key: LimitKey): boolean {
  return container.gaps.some((gap) => gap.fact === 'cgroup' || gap.fact === `cgroup.${key}` || gap.fact === `cgroup.effective.${key}`);
}
