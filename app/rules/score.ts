// The score model: severity weights, the 0–100 score, the A–F grade, and severity ordering for --fail-on. Weights live only here.
import type { Finding, Grade, Severity } from '../model/schema.js';
import { SEVERITIES } from '../model/schema.js';

/**
 * Per severity: the points the first finding costs and the most all findings of that severity can cost together.
 * n findings of one severity cost max × (1 − (1 − first/max)^n): each one costs something, later ones cost less,
 * so ten missing limits do not weigh like one host escape.
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, { first: number; max: number }>> = {
  critical: { first: 45, max: 100 },
  high: { first: 20, max: 50 },
  medium: { first: 8, max: 30 },
  low: { first: 3, max: 12 },
  info: { first: 0, max: 0 },
};

/** The worst finding caps the score whatever else is true: a critical always fails, a high never passes D. */
export const SEVERITY_CAPS: Readonly<Partial<Record<Severity, number>>> = {
  critical: 49,
  high: 69,
};

/** Lowest score for each grade, best first; below the last is F. */
export const GRADE_THRESHOLDS: ReadonlyArray<readonly [Grade, number]> = [
  ['A', 90],
  ['B', 80],
  ['C', 70],
  ['D', 60],
  ['E', 50],
];

export const SCORE_MODEL_TEXT = [
  'Each container (and the host) starts at 100; every finding deducts points by severity, with diminishing returns within a severity: n findings cost max × (1 − (1 − first/max)^n) (critical 45 up to 100, high 20 up to 50, medium 8 up to 30, low 3 up to 12, info 0).',
  'The worst finding caps the score: any critical finding means at most 49, any high finding at most 69.',
  'Grades: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E ≥ 50, F below 50 — so a critical finding always fails and a high one never grades above D.',
  'The model is monotone: adding a finding never raises the score and removing one never lowers it (each deduction only grows with findings, the cap only tightens).',
  'Info findings cost nothing; accepted risks (--ignore, ignore file) are removed before scoring; the host is scored the same way from its own findings.',
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

function deduction(severity: Severity, count: number): number {
  const { first, max } = SEVERITY_WEIGHTS[severity];
  if (count === 0 || max === 0) return 0;
  return max * (1 - Math.pow(1 - first / max, count));
}

export function gradeFor(score: number): Grade {
  for (const [grade, lowest] of GRADE_THRESHOLDS) if (score >= lowest) return grade;
  return 'F';
}

/** Score (0–100, integer) and grade of a list of findings; the same for a container and for the host. */
export function scoreFindings(findings: readonly Pick<Finding, 'severity'>[]): { score: number; grade: Grade } {
  const counts = new Map<Severity, number>();
  for (const finding of findings) counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
  let score = 100;
  for (const severity of SEVERITIES) score -= deduction(severity, counts.get(severity) ?? 0);
  for (const severity of SEVERITIES) {
    const cap = SEVERITY_CAPS[severity];
    if (cap !== undefined && (counts.get(severity) ?? 0) > 0) score = Math.min(score, cap);
  }
  // Rounding is a monotone step, so the rounded score stays monotone too.
  const rounded = Math.max(0, Math.min(100, Math.round(score)));
  return { score: rounded, grade: gradeFor(rounded) };
}
