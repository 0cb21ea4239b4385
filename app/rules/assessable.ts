// Which checks rest on facts only the kernel can establish, and which of them could not be made for a container: a
// check that could not be made is "not assessable from here", never a pass. One place for the facts each check needs.
import type { ContainerIsolation, Finding, NotAssessable } from '../model/schema.js';
import { CONTAINER_RULES, isAccepted, type AcceptedRisk } from './catalogue.js';
import type { ContainerRule, RuleFamily } from './rule.js';

const EVERY_KERNEL_FACT = ['capabilities', 'namespaces', 'user', 'seccomp', 'noNewPrivileges', 'lsm', 'mounts', 'cgroup'] as const;

/** The kernel facts a family's verdicts rest on (a fact read from the engine's configuration alone proves nothing). */
const FAMILY_NEEDS: Readonly<Record<RuleFamily, readonly string[]>> = {
  capabilities: ['capabilities'],
  namespaces: ['namespaces', 'user'],
  'seccomp-lsm': ['seccomp', 'lsm', 'noNewPrivileges'],
  mounts: ['mounts'],
  resources: ['cgroup'],
  // A disagreement between the engine and the kernel can only be seen with the kernel.
  consistency: EVERY_KERNEL_FACT,
  // Published ports, devices, health checks, restart policy: the engine's own settings.
  network: [],
  runtime: [],
  host: [],
};

/** Rules whose needs differ from their family's. */
const RULE_NEEDS: Readonly<Record<string, readonly string[]>> = {
  'runtime/new-privileges-allowed': ['noNewPrivileges'],
  // It reports the gaps themselves.
  'consistency/unverified-facts': [],
};

function needsOf(rule: ContainerRule): readonly string[] {
  return RULE_NEEDS[rule.id] ?? FAMILY_NEEDS[rule.family];
}

function gapOf(container: ContainerIsolation, fact: string): string | null {
  const gap = container.gaps.find((g) => g.fact === fact || g.fact.startsWith(`${fact}.`) || g.fact.startsWith(`${fact}[`));
  return gap ? gap.reason : null;
}

/**
 * The checks that did not fire but could not have been made: a fact they need has a gap. A rule that fired (from the
 * configuration, say), was rolled up into one that fired, or is an accepted risk is not listed.
 */
export function checksNotAssessable(container: ContainerIsolation, findings: readonly Finding[], ignore: ReadonlyArray<string | AcceptedRisk> = []): NotAssessable[] {
  if (container.gaps.length === 0) return [];
  const firedIds = new Set(findings.map((finding) => finding.ruleId));
  const firedRules = CONTAINER_RULES.filter((rule) => firedIds.has(rule.id));
  const out: NotAssessable[] = [];
  for (const rule of CONTAINER_RULES) {
    if (firedIds.has(rule.id) || isAccepted(rule.id, container.name, ignore) || firedRules.some((umbrella) => umbrella.rollsUp?.(rule.id))) continue;
    for (const fact of needsOf(rule)) {
      const reason = gapOf(container, fact);
      if (reason === null) continue;
      out.push({ ruleId: rule.id, title: rule.title, fact, reason });
      break;
    }
  }
  return out;
}

/** Nothing about this container was read from the kernel: a score from its configuration alone would be a guess. */
export function readNothingFromKernel(container: ContainerIsolation): boolean {
  return !Object.values(container.sources).includes('kernel') && !Object.values(container.namespaces).some((namespace) => namespace.source === 'kernel');
}
