// The shape of a rule: metadata and a small pure check in one place, plus helpers every family shares.
import type { ContainerIsolation, EngineInfo, Evidence, FactSource, Finding, Severity } from '../model/schema.js';

export const RULE_FAMILIES = [
  'capabilities',
  'namespaces',
  'seccomp-lsm',
  'mounts',
  'resources',
  'network',
  'runtime',
  'consistency',
  'host',
] as const;
export type RuleFamily = (typeof RULE_FAMILIES)[number];

export interface RuleRemediation {
  text: string;
  /** The exact `docker run` flag(s) that fix it, or null when no flag does (a daemon setting, a rebuilt image). */
  dockerRun: string | null;
  /** The compose service key that does the same, or null. */
  compose: string | null;
}

export interface RuleMeta {
  /** Stable, kebab-case, family-prefixed: "capabilities/sys-admin". Never renamed: ignore files and SARIF refer to it. */
  id: string;
  title: string;
  severity: Severity;
  family: RuleFamily;
  /** Two or three plain sentences: what is wrong and what an attacker does with it. */
  rationale: string;
  /** CIS Docker Benchmark v1.6.0 control id ("5.10", "2.2"), or null when no control covers it. */
  cis: string | null;
  /** MITRE ATT&CK technique ids (Containers matrix). */
  attack: readonly string[];
  remediation: RuleRemediation;
  /** How the verdict differs from docker-bench-security's check for the same control; null when they agree or it has none. */
  dockerBench: string | null;
}

export interface RuleContext {
  engine: EngineInfo;
}

/**
 * One finding of a rule that reports each instance on its own (one per mount, say), with the fix for exactly that
 * instance: the remediation replaces the rule's generic one, so the finding names the real mount and destination.
 */
export interface RuleHit {
  evidence: Evidence[];
  /** Says which instance this is, appended to the rule's title: "/ → /host". */
  subject?: string;
  remediation?: RuleRemediation;
}

/**
 * A rule over one container. `check` returns the evidence when the rule fires (one finding), a list of hits
 * (one finding each), or null when it does not fire.
 */
export interface ContainerRule extends RuleMeta {
  check(container: ContainerIsolation, context: RuleContext): Evidence[] | RuleHit[] | null;
  /**
   * Rule ids this rule rolls up when it fires: their findings are folded into its finding as evidence instead of
   * being reported (and scored) on their own. --privileged implies every capability; one finding says so.
   */
  rollsUp?: (ruleId: string) => boolean;
}

/** A rule over the engine itself. */
export interface HostRule extends RuleMeta {
  check(engine: EngineInfo): Evidence[] | null;
}

export function findingFrom(rule: RuleMeta, evidence: Evidence[], hit: Omit<RuleHit, 'evidence'> = {}): Finding {
  return {
    ruleId: rule.id,
    title: hit.subject ? `${rule.title}: ${hit.subject}` : rule.title,
    severity: rule.severity,
    family: rule.family,
    rationale: rule.rationale,
    evidence,
    cis: rule.cis,
    attack: [...rule.attack],
    remediation: { ...(hit.remediation ?? rule.remediation) },
  };
}

function isHitList(result: Evidence[] | RuleHit[]): result is RuleHit[] {
  return result.length > 0 && 'evidence' in result[0]!;
}

/** A check's result as hits: plain evidence is one hit; an empty list is none. */
export function hitsOf(result: Evidence[] | RuleHit[] | null): RuleHit[] {
  if (result === null || result.length === 0) return [];
  return isHitList(result) ? result : [{ evidence: result }];
}

/** Where a fact came from: namespaces carry their own source; everything else is looked up by its top-level key. */
export function sourceOf(container: ContainerIsolation, fact: string): FactSource {
  const [head, kind] = fact.split('.');
  if (head === 'namespaces' && kind && kind in container.namespaces) {
    return container.namespaces[kind as keyof ContainerIsolation['namespaces']].source;
  }
  const key = (head ?? fact).replace(/\[.*$/, '');
  return container.sources[key] ?? 'config';
}

export function evidenceOf(container: ContainerIsolation, fact: string, value: unknown): Evidence {
  return { fact, value, source: sourceOf(container, fact) };
}

/** The collector could not establish this exact fact: a rule about it must stay silent. */
export function hasGap(container: ContainerIsolation, fact: string): boolean {
  return container.gaps.some((gap) => gap.fact === fact);
}

/** The engine advertises this security feature in `docker info` SecurityOptions ("name=apparmor", "name=seccomp,profile=default"). */
export function engineHasSecurityOption(engine: EngineInfo, name: string): boolean {
  return engine.securityOptions.some((option) => option.split(',').some((part) => part.trim() === `name=${name}`));
}

/** null instead of an empty list, so a check reads `return fired(evidence)`. */
export function fired(evidence: Evidence[]): Evidence[] | null {
  return evidence.length > 0 ? evidence : null;
}
