// Records every snapshot a long-running Isolens sees, and says what deserves a notification: a critical start or drift.
import type { ContainerIsolation, Severity, Snapshot } from '../model/schema.js';
import type { DriftMark, HistoryChange, Notice, NotificationSettings } from '../model/history.js';
import { neutralizeText } from '../report/text.js';
import { compareSeverity } from '../rules/score.js';
import { identityOf } from './identity.js';
import type { HistoryStore, RecordResult } from './store.js';
import { postureFingerprint, versionDocument } from './version.js';

/** An unchanged container's "last seen" is written at most this often, not on every 5-second rebuild. */
const TOUCH_INTERVAL_MS = 60_000;
/** Pruning runs this often in a process that stays up. */
const PRUNE_INTERVAL_MS = 6 * 3_600_000;
/** A container started this long before Isolens did still counts as "starting" (the app opened with it). */
const START_SLACK_MS = 10_000;

export interface RecorderOptions {
  now?: () => number;
}

export interface Observation {
  results: RecordResult[];
  /** Notices before muting. */
  notices: Notice[];
}

/** Does a mute cover this rule? A mute is a rule id or a family prefix ("mounts" mutes "mounts/docker-socket"). */
export function ruleMuted(ruleId: string, mutedRules: readonly string[]): boolean {
  return mutedRules.some((muted) => ruleId === muted || ruleId.startsWith(`${muted}/`));
}

/** The notice as the user will see it, or null when the settings mute it (its container, or every rule it is about). */
export function applyMutes(notice: Notice, settings: NotificationSettings): Notice | null {
  if (settings.mutedContainers.includes(notice.container)) return null;
  if (notice.ruleIds.length === 0) return notice;
  const ruleIds = notice.ruleIds.filter((ruleId) => !ruleMuted(ruleId, settings.mutedRules));
  return ruleIds.length === 0 ? null : { ...notice, ruleIds };
}

function worstSeverity(container: ContainerIsolation, ruleIds: readonly string[]): Severity {
  const severities = container.findings.filter((finding) => ruleIds.includes(finding.ruleId)).map((finding) => finding.severity);
  return severities.sort(compareSeverity)[0] ?? 'info';
}

const score = (value: number | null) => (value === null ? '—' : String(Math.round(value)));

export function driftNotice(container: ContainerIsolation, key: string, change: HistoryChange): Notice {
  const name = neutralizeText(container.name);
  const gained = change.findingsAdded;
  return {
    id: `drift:${key}:${change.at}`,
    kind: 'drift',
    at: change.at,
    containerId: container.id,
    container: key,
    name: container.name,
    ruleIds: gained,
    severity: gained.length > 0 ? worstSeverity(container, gained) : 'info',
    scoreBefore: change.scoreBefore,
    scoreAfter: change.scoreAfter,
    title: `${name} got weaker: score ${score(change.scoreBefore)} → ${score(change.scoreAfter)}`,
    body: gained.length > 0 ? `New: ${gained.join(', ')}` : `Changed: ${change.facts.map((fact) => fact.fact).slice(0, 4).join(', ')}`,
  };
}

export function criticalStartNotice(container: ContainerIsolation, key: string, at: string): Notice {
  const critical = container.findings.filter((finding) => finding.severity === 'critical').map((finding) => finding.ruleId);
  return {
    id: `critical-start:${container.id}`,
    kind: 'critical-start',
    at,
    containerId: container.id,
    container: key,
    name: container.name,
    ruleIds: critical,
    severity: 'critical',
    scoreBefore: null,
    scoreAfter: container.score,
    title: `${neutralizeText(container.name)} started with ${critical.length === 1 ? 'a critical finding' : `${critical.length} critical findings`}`,
    body: critical.join(', '),
  };
}

/**
 * One per long-running process, fed every snapshot (from the engine session, or the poller until it lands). It writes
 * a container to the store only when its posture changed or its "last seen" is due, and remembers which container ids
 * it has seen so "started with a critical finding" is said once per container, not once per rebuild.
 */
export class HistoryRecorder {
  private readonly now: () => number;
  private readonly startedAtMs: number;
  private readonly written = new Map<string, { fingerprint: string; atMs: number }>();
  private readonly seenIds = new Set<string>();
  private readonly fingerprints = new WeakMap<ContainerIsolation, string>();
  private lastPruneMs: number;

  constructor(private readonly store: HistoryStore, options: RecorderOptions = {}) {
    this.now = options.now ?? Date.now;
    this.startedAtMs = this.now();
    this.lastPruneMs = this.startedAtMs;
  }

  observe(snapshot: Snapshot): Observation {
    const nowMs = this.now();
    const due: ContainerIsolation[] = [];
    for (const container of snapshot.containers) {
      const key = identityOf(container).key;
      const fingerprint = this.fingerprintOf(container);
      const last = this.written.get(key);
      if (last && last.fingerprint === fingerprint && nowMs - last.atMs < TOUCH_INTERVAL_MS) continue;
      due.push(container);
      this.written.set(key, { fingerprint, atMs: nowMs });
    }
    const results = due.length > 0 ? this.store.record(due) : [];
    const notices: Notice[] = [];
    const drifted = new Set<string>();
    for (const result of results) {
      if (result.change?.weaker) {
        notices.push(driftNotice(result.container, result.identity.key, result.change));
        drifted.add(result.container.id);
      }
    }
    for (const container of snapshot.containers) {
      if (this.seenIds.has(container.id)) continue;
      this.seenIds.add(container.id);
      if (drifted.has(container.id)) continue; // one notice per event: the drift says more
      if (!container.findings.some((finding) => finding.severity === 'critical')) continue;
      const startedMs = container.startedAt ? Date.parse(container.startedAt) : Number.NaN;
      // Containers already running when Isolens started did not just start; they were reviewed on opening.
      if (!(startedMs >= this.startedAtMs - START_SLACK_MS)) continue;
      notices.push(criticalStartNotice(container, identityOf(container).key, new Date(nowMs).toISOString()));
    }
    const live = new Set(snapshot.containers.map((container) => container.id));
    for (const id of this.seenIds) if (!live.has(id)) this.seenIds.delete(id);
    if (nowMs - this.lastPruneMs >= PRUNE_INTERVAL_MS) {
      this.lastPruneMs = nowMs;
      this.store.prune();
    }
    return { results, notices };
  }

  /**
   * The engine session hands back the very same object for a container it did not collect again, so a quiet rebuild of
   * 500 containers costs 500 lookups here instead of 500 deep copies and hashes (7 % of a core in serve's profile).
   */
  private fingerprintOf(container: ContainerIsolation): string {
    let fingerprint = this.fingerprints.get(container);
    if (fingerprint === undefined) {
      fingerprint = postureFingerprint(versionDocument(container));
      this.fingerprints.set(container, fingerprint);
    }
    return fingerprint;
  }

  /** Drift marks for the running containers of a snapshot: those whose last recorded change made them weaker. */
  driftMarks(snapshot: Snapshot): DriftMark[] {
    const keys = snapshot.containers.map((container) => identityOf(container).key);
    const changes = this.store.latestChanges(keys);
    const marks: DriftMark[] = [];
    snapshot.containers.forEach((container, i) => {
      const change = changes.get(keys[i]!);
      if (!change?.weaker) return;
      marks.push({ containerId: container.id, container: keys[i]!, at: change.at, scoreBefore: change.scoreBefore, scoreAfter: change.scoreAfter, findingsAdded: change.findingsAdded });
    });
    return marks;
  }
}
