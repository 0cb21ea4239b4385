// The score model: severity weights, the 0–100 score, the A–F grade, and severity ordering for --fail-on. Weights live only here.
import type { Finding, Grade, Severity } from '../model/schema.js';
import { SEVERITIES } from '../model/vocabulary.js';

/**
 * What one finding costs, by the rung of the ladder its severity stands for (docs/rules.md): host root one step away,
 * watching or interfering with the host, denial of service, defence in depth. A low finding still costs 5 points,
 * so each single hardening flag visibly moves a default container's score.
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = {
  critical: 50,
  high: 15,
  medium: 8,
  low: 5,
  info: 0,
};

/** The worst finding caps the score whatever else is true: a critical always fails, a high never passes D. */
export const SEVERITY_CAPS: Readonly<Partial<Record<Severity, number>>> = {
  critical: 49,
  high: 69,
};

/**
 * Without a critical finding the score never falls below this, however many highs: every host-root case ranks below
 * every case that only watches or disturbs the host.
 */
export const NO_CRITICAL_FLOOR = 50;

/** Lowest score for each grade, best first; below the last is F. */
export const GRADE_THRESHOLDS: ReadonlyArray<readonly [Grade, number]> = [
  ['A', 90],
  ['B', 80],
  ['C', 70],
  ['D', 60],
  ['E', 50],
];

export const SCORE_MODEL_TEXT = [
  'Each container (and the host) starts at 100; every finding deducts its severity\'s weight (critical 50, high 15, medium 8, low 5, info 0), and within one rule family the worst finding counts in full and each further one half, because several routes to the same gain are not several gains.',
  'The worst finding caps the score: any critical finding means at most 49, any high finding at most 69; without a critical finding the score stays at 50 or above, so host root always ranks below host interference.',
  'Grades: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E ≥ 50, F below 50 — so a critical finding always fails and a high one never grades above D.',
  'The model is monotone: adding a finding never raises the score and removing one never lowers it (each family\'s cost only grows with its findings, the caps only tighten).',
  'Info findings cost nothing; accepted risks (--ignore, ignore file) and findings rolled up into an umbrella finding (--privileged, --cap-add ALL) are removed before scoring; the host is scored the same way from its own findings.',
].join('\n');

/** Position in the severity order, 0 = critical. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Is `severity` at least as bad as `threshold`? (`--fail-on high` fails on high and critical.) */
export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

export function compareSeverity(a: Severity, b: Severity): number {
  return severityRank(a) - severityRank(b);
}

/** One family's cost: the worst finding in full, every further one at half its weight. (Σ + max) / 2 grows with each finding. */
function familyCost(weights: readonly number[]): number {
  if (weights.length === 0) return 0;
  const sum = weights.reduce((total, weight) => total + weight, 0);
  return (sum + Math.max(...weights)) / 2;
}

export function gradeFor(score: number): Grade {
  for (const [grade, lowest] of GRADE_THRESHOLDS) if (score >= lowest) return grade;
  return 'F';
}

/** Score (0–100, integer) and grade of a list of findings; the same for a container and for the host. */
export function scoreFindings(findings: readonly Pick<Finding, 'severity' | 'family'>[]): { score: number; grade: Grade } {
  const byFamily = new Map<string, number[]>();
  const present = new Set<Severity>();
  for (const finding of findings) {
    present.add(finding.severity);
    byFamily.set(finding.family, [...(byFamily.get(finding.family) ?? []), SEVERITY_WEIGHTS[finding.severity]]);
  }
  let score = 100;
  for (const weights of byFamily.values()) score -= familyCost(weights);
  if (!present.has('critical')) score = Math.max(score, NO_CRITICAL_FLOOR);
  for (const severity of SEVERITIES) {
    const cap = SEVERITY_CAPS[severity];
    if (cap !== undefined && present.has(severity)) score = Math.min(score, cap);
  }
  // Rounding is a monotone step, so the rounded score stays monotone too.
  const rounded = Math.max(0, Math.min(100, Math.round(score)));
  return { score: rounded, grade: gradeFor(rounded) };
}
