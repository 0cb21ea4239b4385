// The full rules catalogue and the two entry points: findings for one container, findings for the engine's host; plus accepted risks.
import type { ContainerIsolation, EngineInfo, Finding } from '../model/schema.js';
import { CAPABILITY_RULES } from './capabilities.js';
import { CONSISTENCY_RULES } from './consistency.js';
import { HOST_RULES } from './host.js';
import { MOUNT_RULES } from './mounts.js';
import { NAMESPACE_RULES } from './namespaces.js';
import { NETWORK_RULES } from './network.js';
import { RESOURCE_RULES } from './resources.js';
import { findingFrom, hitsOf, RULE_FAMILIES, type ContainerRule, type RuleContext, type RuleMeta } from './rule.js';
import { compareSeverity } from './score.js';
import { RUNTIME_RULES } from './runtime.js';
import { SECCOMP_LSM_RULES } from './seccomp-lsm.js';
import { nameMatchesGlob } from '../model/name-glob.js';
import { compareText } from '../model/collation.js';

export const CONTAINER_RULES: readonly ContainerRule[] = [
  ...RUNTIME_RULES,
  ...CAPABILITY_RULES,
  ...NAMESPACE_RULES,
  ...SECCOMP_LSM_RULES,
  ...MOUNT_RULES,
  ...RESOURCE_RULES,
  ...NETWORK_RULES,
  ...CONSISTENCY_RULES,
];

export { HOST_RULES };

export const ALL_RULES: readonly RuleMeta[] = [...CONTAINER_RULES, ...HOST_RULES];

const byId = new Map<string, RuleMeta>(ALL_RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): RuleMeta | undefined {
  return byId.get(id);
}

/** An accepted risk: a rule id or family prefix ("resources", "capabilities/net-raw"), optionally for one container name glob. */
export interface AcceptedRisk {
  ruleId: string;
  container: string | null;
}

export interface EvaluateOptions {
  /** Rule ids or family prefixes to skip, or accepted risks limited to some containers. */
  ignore?: ReadonlyArray<string | AcceptedRisk>;
}

/** Does an ignore entry name a rule or a family of the catalogue? An entry that matches nothing is almost always a typo. */
export function isKnownRuleOrFamily(entry: string): boolean {
  return byId.has(entry) || (RULE_FAMILIES as readonly string[]).includes(entry) || ALL_RULES.some((rule) => rule.id.startsWith(`${entry}/`));
}

/** Is this rule accepted for this container (null = the host)? */
export function isAccepted(ruleId: string, containerName: string | null, ignore: ReadonlyArray<string | AcceptedRisk>): boolean {
  return ignore.some((entry) => {
    const risk: AcceptedRisk = typeof entry === 'string' ? { ruleId: entry, container: null } : entry;
    const ruleMatches = ruleId === risk.ruleId || ruleId.startsWith(`${risk.ruleId}/`);
    if (!ruleMatches) return false;
    if (risk.container === null) return true;
    return containerName !== null && nameMatchesGlob(risk.container, containerName);
  });
}

const catalogueOrder = new Map(ALL_RULES.map((rule, index) => [rule.id, index]));

/**
 * Worst first; within a severity, in catalogue order (umbrella rules such as runtime/privileged before the
 * capabilities they imply), so the order is the same from one scan to the next.
 */
export function sortFindings(findings: Finding[]): Finding[] {
  const position = (id: string) => catalogueOrder.get(id) ?? Number.MAX_SAFE_INTEGER;
  return findings.sort((a, b) => compareSeverity(a.severity, b.severity) || position(a.ruleId) - position(b.ruleId) || compareText(a.ruleId, b.ruleId));
}

/**
 * Fold the findings an umbrella rule implies into it: one finding for --privileged or --cap-add ALL, with what it
 * implies as evidence, rather than a dozen near-identical ones. Umbrellas are taken in catalogue order, so the
 * outermost (runtime/privileged) takes everything, including a capabilities/all it implies.
 */
function rollUp(fired: Array<{ rule: ContainerRule; finding: Finding }>): Array<{ rule: ContainerRule; finding: Finding }> {
  const absorbed = new Set<Finding>();
  for (const umbrella of fired) {
    if (!umbrella.rule.rollsUp || absorbed.has(umbrella.finding)) continue;
    for (const other of fired) {
      if (other === umbrella || absorbed.has(other.finding) || !umbrella.rule.rollsUp(other.rule.id)) continue;
      absorbed.add(other.finding);
      umbrella.finding.evidence.push({
        fact: `implies[${other.finding.ruleId}]`,
        value: other.finding.title,
        source: other.finding.evidence[0]?.source ?? 'config',
      });
    }
  }
  return fired.filter((entry) => !absorbed.has(entry.finding));
}

/** Every finding for one container, worst first. The one call integration tests and the assessment need. */
export function evaluateContainer(container: ContainerIsolation, context: RuleContext, options: EvaluateOptions = {}): Finding[] {
  const ignore = options.ignore ?? [];
  const fired: Array<{ rule: ContainerRule; finding: Finding }> = [];
  for (const rule of CONTAINER_RULES) {
    for (const hit of hitsOf(rule.check(container, context))) fired.push({ rule, finding: findingFrom(rule, hit.evidence, hit) });
  }
  // Roll up before accepting risks: accepting runtime/privileged accepts what it implies, not a dozen findings instead.
  const findings = rollUp(fired)
    .filter(({ rule }) => !isAccepted(rule.id, container.name, ignore))
    .map(({ finding }) => finding);
  return sortFindings(findings);
}

/** Every finding about the engine's host, worst first. Container-scoped accepted risks do not apply here. */
export function evaluateHost(engine: EngineInfo, options: EvaluateOptions = {}): Finding[] {
  const ignore = options.ignore ?? [];
  const findings: Finding[] = [];
  for (const rule of HOST_RULES) {
    if (isAccepted(rule.id, null, ignore)) continue;
    const evidence = rule.check(engine);
    if (evidence !== null) findings.push(findingFrom(rule, evidence));
  }
  return sortFindings(findings);
}

export interface IgnoreFileProblem {
  line: number;
  message: string;
}

/**
 * The ignore file: one accepted risk per line, `rule-id [container-name-glob]`; `#` starts a comment.
 * Problems are returned, not thrown: an accepted risk that silently does nothing is worse than none, so callers should refuse to run.
 */
export function parseIgnoreFile(text: string): { risks: AcceptedRisk[]; problems: IgnoreFileProblem[] } {
  const risks: AcceptedRisk[] = [];
  const problems: IgnoreFileProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    const [ruleId, container, ...rest] = parts;
    if (rest.length > 0 || ruleId === undefined || !/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?$/.test(ruleId)) {
      problems.push({ line: index + 1, message: `expected "rule-id [container-name-glob]", got ${JSON.stringify(line)}` });
      return;
    }
    if (!isKnownRuleOrFamily(ruleId)) {
      problems.push({ line: index + 1, message: `no rule or rule family is called ${JSON.stringify(ruleId)}` });
      return;
    }
    risks.push({ ruleId, container: container ?? null });
  });
  return { risks, problems };
}
