// A container's recorded posture: what is stored, its fingerprint (volatile state excluded), and the change between two.
import { createHash } from 'node:crypto';
import { diffContainers } from '../lab/diff.js';
import type { ContainerIsolation, Severity } from '../model/schema.js';
import type { FactChange, HistoryChange } from '../model/history.js';

/**
 * The stored document: the container as the scan graded it, with the state that changes on every start or sample
 * blanked (ids of namespaces, pid, times, run state, IP addresses, cgroup path). What is left is the isolation.
 */
export function versionDocument(container: ContainerIsolation): ContainerIsolation {
  const doc = structuredClone(container);
  doc.pid = null;
  doc.state = '';
  doc.createdAt = null;
  doc.startedAt = null;
  for (const namespace of Object.values(doc.namespaces)) namespace.inode = null;
  doc.cgroup.path = null;
  doc.network.networks = doc.network.networks.map((network) => ({ name: network.name, ipAddress: null }));
  return doc;
}

/** The isolation facts of a container as the compare view lists them (the same rows, so History and Compare agree). */
function factRows(container: ContainerIsolation): Array<[string, unknown]> {
  return diffContainers(container, container).rows.map((row) => [row.fact, row.a]);
}

/**
 * Equal fingerprints mean "no change": the compared facts, the findings (by rule and severity), score and grade.
 * Ids, pids, start times, usage and gaps are not in it, so a restart or a new id with the same isolation is no change.
 */
export function postureFingerprint(container: ContainerIsolation): string {
  const findings = container.findings.map((finding) => `${finding.ruleId}:${finding.severity}`).sort();
  const canonical = JSON.stringify({ facts: factRows(container), findings, score: container.score, grade: container.grade });
  return createHash('sha256').update(canonical).digest('hex');
}

/** A container as it is recorded: its stored document and that document's fingerprint, computed once together. */
export interface PostureVersion {
  document: ContainerIsolation;
  fingerprint: string;
}

export function postureVersion(container: ContainerIsolation): PostureVersion {
  const document = versionDocument(container);
  return { document, fingerprint: postureFingerprint(document) };
}

/** Severities whose gain makes a container weaker even when the score does not move. */
const WEAKENING: ReadonlySet<Severity> = new Set(['critical', 'high', 'medium', 'low']);

/** What changed from one recorded version to the next, and whether the isolation got weaker (drift). */
export function compareVersions(before: ContainerIsolation, after: ContainerIsolation, at: string): HistoryChange {
  const diff = diffContainers(before, after);
  const facts: FactChange[] = diff.rows
    .filter((row) => row.changed)
    .map((row) => ({ fact: row.fact, before: row.a, after: row.b, better: row.better === 'a' ? 'before' : row.better === 'b' ? 'after' : null }));
  const findingsAdded = diff.findings.onlyInB.map((finding) => finding.ruleId).sort();
  const findingsRemoved = diff.findings.onlyInA.map((finding) => finding.ruleId).sort();
  const scoreFell = before.score !== null && after.score !== null && after.score < before.score;
  const gainedRisk = diff.findings.onlyInB.some((finding) => WEAKENING.has(finding.severity));
  return {
    at,
    facts,
    findingsAdded,
    findingsRemoved,
    scoreBefore: before.score,
    scoreAfter: after.score,
    gradeBefore: before.grade,
    gradeAfter: after.grade,
    // A gained finding that the score does not reflect (same score, e.g. a low one beside a critical) is still drift;
    // one traded for a worse one lost (the score rose) is not.
    weaker: scoreFell || (gainedRisk && !(before.score !== null && after.score !== null && after.score > before.score)),
  };
}
