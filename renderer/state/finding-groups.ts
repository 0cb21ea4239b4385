// Findings as a reviewer reads them: the capability findings of one container (each fixed by dropping one capability)
// are one card listing them worst first, instead of a dozen near-identical cards; every other finding is its own card.
import type { Finding, Severity } from '../../app/model/schema.js';
import { sortFindings } from './derive.js';

export type FindingItem =
  | { kind: 'one'; finding: Finding }
  | { kind: 'capabilities'; severity: Severity; findings: Finding[]; capabilities: string[] };

/** The capability a finding is fixed by dropping ("--cap-drop NET_RAW" → "NET_RAW"), or null for any other finding. */
export function droppedCapability(finding: Finding): string | null {
  const name = /^--cap-drop ([A-Z][A-Z0-9_]*)$/.exec(finding.remediation.dockerRun ?? '')?.[1] ?? null;
  return name === 'ALL' ? null : name;
}

/** Worst first; two or more capability findings become one item, at the place of the worst of them. */
export function groupFindings(findings: readonly Finding[]): FindingItem[] {
  const sorted = sortFindings(findings);
  const capabilityFindings = sorted.filter((f) => droppedCapability(f) !== null);
  if (capabilityFindings.length < 2) return sorted.map((finding) => ({ kind: 'one', finding }));
  const items: FindingItem[] = [];
  for (const finding of sorted) {
    if (droppedCapability(finding) === null) items.push({ kind: 'one', finding });
    else if (finding === capabilityFindings[0]) {
      items.push({
        kind: 'capabilities',
        severity: finding.severity, // the first of them in worst-first order
        findings: capabilityFindings,
        capabilities: capabilityFindings.map((f) => droppedCapability(f)!),
      });
    }
  }
  return items;
}
