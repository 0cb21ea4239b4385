// The SARIF 2.1.0 report: one run, rules from the findings' metadata, one result per finding per container and host.
import { createHash } from 'node:crypto';
import type * as Sarif from 'sarif';
import { ISOLENS_HOMEPAGE, ISOLENS_VERSION } from '../version.js';
import type { ContainerIsolation, Finding, Severity, Snapshot } from '../model/schema.js';
import { sortFindings, sortWorstFirst, severityRank } from './facts.js';
import { displayValue, escapeMarkdown, markdownCode, neutralizeText } from './text.js';
import { compareText } from '../model/collation.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const CIS_BENCHMARK = 'CIS Docker Benchmark v1.6.0';

/** SARIF levels: critical and high fail a build, medium warns, low and info are notes. */
export const SARIF_LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub code scanning ranks security alerts by `security-severity` (a number as a string, 0.1–10: ≥9 critical,
 * 7–8.9 high, 4–6.9 medium, below 4 low). Info findings carry none, so GitHub shows them as plain notes.
 */
export const SECURITY_SEVERITY: Record<Severity, string | null> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: null,
};

interface Subject {
  /** "container/<name>" or "host/<engine>" */
  fullyQualifiedName: string;
  name: string;
  /** What the fingerprint is stable on: the container id, or the engine endpoint for host findings. */
  identity: string;
  label: string;
}

function containerSubject(container: ContainerIsolation): Subject {
  const name = neutralizeText(container.name);
  return { fullyQualifiedName: `container/${name}`, name, identity: `container\u0000${container.id}`, label: `Container ${name}` };
}

export function renderSarif(snapshot: Snapshot): string {
  return `${JSON.stringify(buildSarifLog(snapshot), null, 2)}\n`;
}

/** The SARIF log as an object (for tests and callers that post-process it). */
export function buildSarifLog(snapshot: Snapshot): Sarif.Log {
  const hostName = neutralizeText(snapshot.engine.name ?? snapshot.engine.endpoint);
  const host: Subject = {
    fullyQualifiedName: `host/${hostName}`,
    name: hostName,
    identity: `host\u0000${snapshot.engine.endpoint}`,
    label: `Engine ${neutralizeText(snapshot.engine.endpoint)}`,
  };
  const containers = sortWorstFirst(snapshot.containers);
  const occurrences: { finding: Finding; subject: Subject }[] = [
    ...containers.flatMap((container) => sortFindings(container.findings).map((finding) => ({ finding, subject: containerSubject(container) }))),
    ...sortFindings(snapshot.host.findings).map((finding) => ({ finding, subject: host })),
  ];

  const rules = buildRules(occurrences.map((o) => o.finding));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results: Sarif.Result[] = occurrences.map(({ finding, subject }) => buildResult(finding, subject, ruleIndex.get(finding.ruleId)!));

  const driver: Sarif.ToolComponent = {
    name: 'Isolens',
    version: ISOLENS_VERSION,
    semanticVersion: ISOLENS_VERSION,
    rules,
  };
  if (ISOLENS_HOMEPAGE) driver.informationUri = ISOLENS_HOMEPAGE;

  const notifications: Sarif.Notification[] = [
    ...containers.flatMap((container) =>
      container.gaps.map((gap) => gapNotification(`${neutralizeText(container.name)}: ${neutralizeText(gap.fact)}`, gap.reason, containerSubject(container))),
    ),
    ...snapshot.gaps.map((gap) => gapNotification(neutralizeText(gap.fact), gap.reason, host)),
  ];
  const invocation: Sarif.Invocation = { executionSuccessful: true };
  const endTime = isoTimestamp(snapshot.generatedAt);
  if (endTime) invocation.endTimeUtc = endTime;
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;

  const run: Sarif.Run = {
    tool: { driver },
    invocations: [invocation],
    results,
    columnKind: 'utf16CodeUnits',
    properties: {
      engine: {
        kind: snapshot.engine.kind,
        version: snapshot.engine.version,
        apiVersion: snapshot.engine.apiVersion,
        endpoint: neutralizeText(snapshot.engine.endpoint),
        rootless: snapshot.engine.rootless,
        userNamespaceRemap: snapshot.engine.userNamespaceRemap,
        cgroupVersion: snapshot.engine.cgroupVersion,
      },
      host: { score: snapshot.host.score, grade: snapshot.host.grade },
      containers: containers.map((c) => ({ id: c.id, name: neutralizeText(c.name), score: c.score, grade: c.grade })),
    },
  };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

/** One rule per rule id, described by its first finding, at the worst severity any of its findings has. */
function buildRules(findings: readonly Finding[]): Sarif.ReportingDescriptor[] {
  const byId = new Map<string, { finding: Finding; worst: Severity }>();
  for (const finding of findings) {
    const known = byId.get(finding.ruleId);
    if (!known) byId.set(finding.ruleId, { finding, worst: finding.severity });
    else if (severityRank(finding.severity) < severityRank(known.worst)) known.worst = finding.severity;
  }
  return [...byId.values()]
    .sort((a, b) => compareText(a.finding.ruleId, b.finding.ruleId))
    .map(({ finding, worst }) => {
      const tags = [
        'security',
        'container',
        neutralizeText(finding.family),
        ...(finding.cis ? [`external/cis-docker-benchmark-v1.6.0/${neutralizeText(finding.cis)}`] : []),
        ...finding.attack.map((technique) => `external/mitre-attack/${neutralizeText(technique)}`),
      ];
      const properties: Sarif.PropertyBag = { tags, precision: 'high', 'problem.severity': SARIF_LEVEL[worst] === 'note' ? 'recommendation' : SARIF_LEVEL[worst] };
      const securitySeverity = SECURITY_SEVERITY[worst];
      if (securitySeverity !== null) properties['security-severity'] = securitySeverity;
      return {
        id: finding.ruleId,
        name: ruleName(finding.ruleId),
        shortDescription: { text: neutralizeText(finding.title) },
        fullDescription: { text: neutralizeText(finding.rationale) },
        help: { text: helpText(finding), markdown: helpMarkdown(finding) },
        defaultConfiguration: { level: SARIF_LEVEL[worst] },
        properties,
      } satisfies Sarif.ReportingDescriptor;
    });
}

/** "capabilities/sys-admin" → "CapabilitiesSysAdmin": SARIF's rule name is an identifier-like word. */
function ruleName(ruleId: string): string {
  return ruleId
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function references(finding: Finding): string[] {
  return [
    ...(finding.cis ? [`${CIS_BENCHMARK} ${neutralizeText(finding.cis)}`] : []),
    ...(finding.attack.length > 0 ? [`MITRE ATT&CK ${finding.attack.map(neutralizeText).join(', ')}`] : []),
  ];
}

function helpText(finding: Finding): string {
  const { text, dockerRun, compose } = finding.remediation;
  return [
    neutralizeText(text),
    ...(dockerRun ? [`docker run: ${neutralizeText(dockerRun)}`] : []),
    ...(compose ? [`compose: ${neutralizeText(compose)}`] : []),
    ...references(finding),
  ].join('\n');
}

function helpMarkdown(finding: Finding): string {
  const { text, dockerRun, compose } = finding.remediation;
  return [
    `**Fix:** ${escapeMarkdown(text)}`,
    '',
    ...(dockerRun ? [`- \`docker run\`: ${markdownCode(dockerRun, false)}`] : []),
    ...(compose ? [`- compose: ${markdownCode(compose, false)}`] : []),
    ...(references(finding).length > 0 ? ['', escapeMarkdown(references(finding).join(' · '))] : []),
  ].join('\n');
}

function buildResult(finding: Finding, subject: Subject, ruleIndex: number): Sarif.Result {
  const evidence = finding.evidence.map((e) => `${neutralizeText(e.fact)} = ${displayValue(e.value)} (${e.source})`);
  const text = `${subject.label}: ${neutralizeText(finding.title)}.${evidence.length > 0 ? ` Evidence: ${evidence.join('; ')}.` : ''}`;
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: SARIF_LEVEL[finding.severity],
    kind: 'fail',
    message: { text },
    locations: [subjectLocation(subject)],
    partialFingerprints: { 'isolensFinding/v1': fingerprint(subject, finding) },
    properties: {
      severity: finding.severity,
      evidence: finding.evidence.map((e) => ({ fact: neutralizeText(e.fact), value: displayValue(e.value), source: e.source })),
    },
  };
}

/**
 * A container is not a file, so its location is logical ("container/<name>"). GitHub code scanning only accepts
 * results with a physical location too; the pseudo-path `container/<name>` (line 1) keeps each container's alerts
 * apart there, as image scanners do with image names.
 */
function subjectLocation(subject: Subject): Sarif.Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: subject.fullyQualifiedName.split('/').map(encodeURIComponent).join('/') },
      region: { startLine: 1 },
    },
    logicalLocations: [{ name: subject.name, fullyQualifiedName: subject.fullyQualifiedName, kind: 'resource' }],
  };
}

/**
 * Stable across scans for the same container and rule; the evidence facts (not values) tell apart two findings
 * of one rule in one container, e.g. two sensitive mounts.
 */
function fingerprint(subject: Subject, finding: Finding): string {
  const facts = finding.evidence.map((e) => e.fact).sort().join('\u0000');
  return createHash('sha256').update(`${subject.identity}\u0000${finding.ruleId}\u0000${facts}`).digest('hex');
}

function gapNotification(where: string, reason: string, subject: Subject): Sarif.Notification {
  return {
    level: 'warning',
    message: { text: `Not read: ${where}: ${neutralizeText(reason)}` },
    locations: [{ logicalLocations: [{ name: subject.name, fullyQualifiedName: subject.fullyQualifiedName, kind: 'resource' }] }],
  };
}

/** SARIF requires an RFC 3339 UTC timestamp; anything else is left out rather than emitted invalid. */
function isoTimestamp(text: string): string | null {
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
