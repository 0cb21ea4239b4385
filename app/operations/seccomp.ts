// Evaluating a seccomp profile (Docker's JSON format, which Podman shares) for one syscall: allowed, denied, or unknown, and by which rule.
import type { SeccompArgCondition, SeccompProfileDocument, SeccompSyscallRule } from './seccomp-profile.js';

export type { SeccompProfileDocument };

/** What the engine applies the profile for: its conditions are resolved against these, as the engine does at container start. */
export interface SeccompTarget {
  /** The container's capability set (Docker resolves includes.caps against the bounding set it grants). */
  capabilities: readonly string[];
  /** "6.1.0-18-amd64"; null = unknown (a minKernel condition then cannot be resolved). */
  kernelVersion: string | null;
  /** Docker's architecture names: amd64, arm64, s390x … */
  arch: string;
}

export interface SeccompDecision {
  action: 'allow' | 'deny' | 'unknown';
  /** Which rule decided, in words: "allowed only with CAP_SYS_ADMIN", "the profile's default action (SCMP_ACT_ERRNO)". */
  detail: string;
}

const ALLOWING = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);

function actionOf(action: string): 'allow' | 'deny' {
  // ERRNO, KILL, KILL_PROCESS, KILL_THREAD, TRAP; TRACE without a tracer fails the call with ENOSYS.
  return ALLOWING.has(action) ? 'allow' : 'deny';
}

/** Compare "6.18.44-fc" with "4.8": -1, 0, 1; null when either is not a version. */
export function compareKernelVersions(a: string, b: string): number | null {
  const parse = (text: string) => /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text)?.slice(1).map((part) => Number(part ?? 0));
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return 0;
}

type Applicability = 'applies' | 'skipped' | 'unknown';

/** Does this rule make it into the filter for this container (Docker's includes/excludes, resolved at start)? */
function applicability(rule: SeccompSyscallRule, target: SeccompTarget): Applicability {
  const includes = rule.includes ?? {};
  const excludes = rule.excludes ?? {};
  if (includes.arches && includes.arches.length > 0 && !includes.arches.includes(target.arch)) return 'skipped';
  if (excludes.arches && excludes.arches.includes(target.arch)) return 'skipped';
  if (includes.caps && includes.caps.some((cap) => !target.capabilities.includes(cap))) return 'skipped';
  if (excludes.caps && excludes.caps.some((cap) => target.capabilities.includes(cap))) return 'skipped';
  if (includes.minKernel) {
    if (target.kernelVersion === null) return 'unknown';
    const order = compareKernelVersions(target.kernelVersion, includes.minKernel);
    if (order === null) return 'unknown';
    if (order < 0) return 'skipped';
  }
  return 'applies';
}

function argMatches(condition: SeccompArgCondition, args: readonly number[]): boolean | null {
  const value = args[condition.index];
  if (value === undefined) return null;
  switch (condition.op) {
    case 'SCMP_CMP_NE': return value !== condition.value;
    case 'SCMP_CMP_LT': return value < condition.value;
    case 'SCMP_CMP_LE': return value <= condition.value;
    case 'SCMP_CMP_EQ': return value === condition.value;
    case 'SCMP_CMP_GE': return value >= condition.value;
    case 'SCMP_CMP_GT': return value > condition.value;
    // Bitwise AND on 64-bit values: BigInt keeps masks above 2^31 exact.
    case 'SCMP_CMP_MASKED_EQ': return (BigInt(value) & BigInt(condition.value)) === BigInt(condition.valueTwo ?? 0);
  }
}

function conditionText(rule: SeccompSyscallRule): string {
  const caps = rule.includes?.caps;
  const notCaps = rule.excludes?.caps;
  const parts: string[] = [];
  if (caps && caps.length > 0) parts.push(`only with ${caps.join(' and ')}`);
  if (notCaps && notCaps.length > 0) parts.push(`only without ${notCaps.join(', ')}`);
  if (rule.includes?.minKernel) parts.push(`on kernel ${rule.includes.minKernel} or later`);
  if (rule.args && rule.args.length > 0) parts.push('for these arguments');
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/**
 * Each syscall's rules, in the profile's order, indexed once per profile: a scan asks the same default profile (its
 * rules name ~400 syscalls) about a dozen syscalls for every container, and a search of every rule's names each time
 * was a visible part of `isolens scan`'s own work.
 */
const RULE_INDEX = new WeakMap<SeccompProfileDocument, Map<string, SeccompSyscallRule[]>>();
function rulesBySyscall(profile: SeccompProfileDocument): Map<string, SeccompSyscallRule[]> {
  let index = RULE_INDEX.get(profile);
  if (index === undefined) {
    index = new Map();
    for (const rule of profile.syscalls ?? []) {
      // A name listed twice in one rule counts that rule once, as the filter of Array.includes did.
      for (const name of new Set(rule.names ?? (rule.name ? [rule.name] : []))) {
        const list = index.get(name);
        if (list === undefined) index.set(name, [rule]);
        else list.push(rule);
      }
    }
    RULE_INDEX.set(profile, index);
  }
  return index;
}

/**
 * What the profile does to `syscall` called with `args` (omitted = any arguments). An unconditional rule wins; rules
 * on arguments decide when the arguments are known; a condition that cannot be resolved makes the answer unknown.
 */
export function evaluateSyscall(profile: SeccompProfileDocument, syscall: string, target: SeccompTarget, args?: readonly number[]): SeccompDecision {
  const rules = rulesBySyscall(profile).get(syscall) ?? [];
  let unresolved = false;
  const matching: Array<SeccompSyscallRule> = [];
  for (const rule of rules) {
    const applies = applicability(rule, target);
    if (applies === 'skipped') continue;
    if (applies === 'unknown') {
      unresolved = true;
      continue;
    }
    if (!rule.args || rule.args.length === 0) {
      const action = actionOf(rule.action);
      return { action, detail: `${syscall} is ${action === 'allow' ? 'allowed' : 'refused'} by the profile${conditionText(rule)}` };
    }
    if (args === undefined) {
      unresolved = true;
      continue;
    }
    const results = rule.args.map((condition) => argMatches(condition, args));
    if (results.some((result) => result === null)) unresolved = true;
    else if (results.every((result) => result === true)) matching.push(rule);
  }
  if (matching.length > 0) {
    // Several rules on arguments can match the same call; the kernel then applies the most restrictive action.
    const denying = matching.find((rule) => actionOf(rule.action) === 'deny');
    const rule = denying ?? matching[0]!;
    const action = actionOf(rule.action);
    return { action, detail: `${syscall} with these arguments is ${action === 'allow' ? 'allowed' : 'refused'} by the profile${conditionText(rule)}` };
  }
  if (unresolved) return { action: 'unknown', detail: `whether the profile allows ${syscall} depends on a condition Isolens cannot resolve here` };
  const action = actionOf(profile.defaultAction);
  return { action, detail: `no rule names ${syscall}, so the profile's default action applies (${profile.defaultAction})` };
}
