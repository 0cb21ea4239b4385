// Records every snapshot a long-running Isolens sees, and says what deserves a notification: a critical start or drift.
import type { ContainerIsolation, Severity, Snapshot } from '../model/schema.js';
import type { DriftMark, HistoryChange, Notice, NotificationSettings } from '../model/history.js';
import { neutralizeText } from '../report/text.js';
import { compareSeverity } from '../rules/score.js';
import { identityOf } from './identity.js';
import type { HistoryStore, RecordResult } from './store.js';
import { postureVersion, versionDocument, type PostureVersion } from './version.js';

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
  /** Each container object's fingerprint, and its document until the store has it (then dropped: it is a deep copy). */
  private readonly versions = new WeakMap<ContainerIsolation, { fingerprint: string; document: ContainerIsolation | null }>();
  /** Each running identity's current version and the change into it, as this process wrote or read it. */
  private readonly latest = new Map<string, { versionId: number; change: HistoryChange | null }>();
  private lastPruneMs: number;

  constructor(private readonly store: HistoryStore, options: RecorderOptions = {}) {
    this.now = options.now ?? Date.now;
    this.startedAtMs = this.now();
    this.lastPruneMs = this.startedAtMs;
  }

  observe(snapshot: Snapshot): Observation {
    const nowMs = this.now();
    const due: ContainerIsolation[] = [];
    const running = new Set<string>();
    for (const container of snapshot.containers) {
      const key = identityOf(container).key;
      running.add(key);
      const version = this.versionOf(container);
      const { fingerprint } = version;
      const last = this.written.get(key);
      if (last && last.fingerprint === fingerprint && nowMs - last.atMs < TOUCH_INTERVAL_MS) {
        version.document = null; // not written: the deep copy is not kept
        continue;
      }
      due.push(container);
      this.written.set(key, { fingerprint, atMs: nowMs });
    }
    const results = due.length > 0 ? this.store.record(due, (container) => this.documentOf(container)) : [];
    for (const container of due) this.versionOf(container).document = null; // the store has it now
    for (const result of results) {
      const known = this.latest.get(result.identity.key);
      if (result.written) this.latest.set(result.identity.key, { versionId: result.versionId, change: result.change });
      else if (known && known.versionId !== result.versionId) this.latest.delete(result.identity.key); // another process wrote it: read again
    }
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
    // Only running identities are remembered: a process that outlives thousands of short-lived containers stays flat.
    for (const key of this.written.keys()) if (!running.has(key)) this.written.delete(key);
    const live = new Set(snapshot.containers.map((container) => container.id));
    for (const id of this.seenIds) if (!live.has(id)) this.seenIds.delete(id);
    if (nowMs - this.lastPruneMs >= PRUNE_INTERVAL_MS) {
      this.lastPruneMs = nowMs;
      if (this.store.prune() > 0) this.latest.clear();
    }
    return { results, notices };
  }

  /**
   * The engine session hands back the very same object for a container it did not collect again, so a quiet rebuild of
   * 500 containers costs 500 lookups here instead of 500 deep copies and hashes (7 % of a core in serve's profile).
   */
  private versionOf(container: ContainerIsolation): { fingerprint: string; document: ContainerIsolation | null } {
    let version = this.versions.get(container);
    if (version === undefined) {
      version = postureVersion(container);
      this.versions.set(container, version);
    }
    return version;
  }

  /**
   * What the store writes: the fingerprint computed here (never twice), and the document, copied again (if it was
   * dropped) only when the store asks for it: the minutely touch of an unchanged container does not (at 1,000
   * containers that was 1,000 deep copies in one go, a second of serve's event loop on this machine).
   */
  private documentOf(container: ContainerIsolation): PostureVersion {
    const version = this.versionOf(container);
    return {
      fingerprint: version.fingerprint,
      get document() {
        return (version.document ??= versionDocument(container));
      },
    };
  }

  /** Drift marks for the running containers of a snapshot: those whose last recorded change made them weaker. */
  driftMarks(snapshot: Snapshot): DriftMark[] {
    const keys = snapshot.containers.map((container) => identityOf(container).key);
    // Versions are read once per identity: after that, what observe() wrote keeps the change current.
    const unknown = keys.filter((key) => !this.latest.has(key));
    if (unknown.length > 0) for (const [key, latest] of this.store.latestChanges(unknown)) this.latest.set(key, latest);
    const running = new Set(keys);
    for (const key of this.latest.keys()) if (!running.has(key)) this.latest.delete(key);
    const marks: DriftMark[] = [];
    snapshot.containers.forEach((container, i) => {
      const change = this.latest.get(keys[i]!)?.change;
      if (!change?.weaker) return;
      marks.push({ containerId: container.id, container: keys[i]!, at: change.at, scoreBefore: change.scoreBefore, scoreAfter: change.scoreAfter, findingsAdded: change.findingsAdded });
    });
    return marks;
  }
}
