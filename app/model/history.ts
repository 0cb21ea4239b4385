// Posture history on the wire: recorded versions of a container, the changes between them, notices and their mutes.
import * as z from 'zod';
import { ContainerIsolation, Grade, Severity } from './schema.js';

/**
 * Who a container is across recreation: its compose project and service when the compose labels are present
 * (`com.docker.compose.project` + `com.docker.compose.service`), else its name. The key is what `isolens history NAME`
 * matches: "web", or "shop/web" for service web of compose project shop.
 */
export const ContainerIdentity = z.object({
  key: z.string(),
  kind: z.enum(['compose', 'name']),
  project: z.string().nullable(),
  service: z.string().nullable(),
});
export type ContainerIdentity = z.infer<typeof ContainerIdentity>;

/** One recorded posture: the isolation facts that matter, the findings, score and grade. */
export const HistoryVersion = z.object({
  /** When this posture was first recorded (ISO 8601). */
  at: z.string(),
  /** When it was last seen unchanged. */
  lastSeenAt: z.string(),
  containerId: z.string(),
  name: z.string(),
  image: z.string(),
  score: z.number().nullable(),
  grade: Grade.nullable(),
  findings: z.array(z.string()).describe('Rule ids, sorted'),
});
export type HistoryVersion = z.infer<typeof HistoryVersion>;

export const FactChange = z.object({
  fact: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  /** Which side isolates better, when one clearly does (as in the compare view). */
  better: z.enum(['before', 'after']).nullable(),
});
export type FactChange = z.infer<typeof FactChange>;

export const HistoryChange = z.object({
  at: z.string(),
  facts: z.array(FactChange),
  findingsAdded: z.array(z.string()),
  findingsRemoved: z.array(z.string()),
  scoreBefore: z.number().nullable(),
  scoreAfter: z.number().nullable(),
  gradeBefore: Grade.nullable(),
  gradeAfter: Grade.nullable(),
  /** Drift: the isolation got weaker (the score fell, or a finding above info was gained). */
  weaker: z.boolean(),
});
export type HistoryChange = z.infer<typeof HistoryChange>;

/** `isolens history NAME --json`, and what the History tab shows. */
export const ContainerHistory = z.object({
  container: z.string().describe('The identity key: the name, or project/service for compose containers'),
  identity: ContainerIdentity,
  versions: z.array(HistoryVersion).describe('Oldest first'),
  changes: z.array(HistoryChange).describe('Oldest first; changes[i] goes from versions[i] to versions[i + 1] when no version is cut off by --since'),
});
export type ContainerHistory = z.infer<typeof ContainerHistory>;

/** Two recorded versions' full documents, for the compare view. */
export interface VersionPair {
  before: ContainerIsolation;
  after: ContainerIsolation;
}

/** What a notification says: a container started with a critical finding, or drifted weaker. */
export const Notice = z.object({
  id: z.string(),
  kind: z.enum(['critical-start', 'drift']),
  at: z.string(),
  containerId: z.string(),
  container: z.string().describe('The identity key'),
  name: z.string().describe('Attacker-controlled text: render as text only'),
  /** The findings the notice is about: critical ones for critical-start, gained ones for drift. */
  ruleIds: z.array(z.string()),
  severity: Severity,
  scoreBefore: z.number().nullable(),
  scoreAfter: z.number().nullable(),
  title: z.string(),
  body: z.string(),
});
export type Notice = z.infer<typeof Notice>;

const RuleIdText = z.string().min(1).max(200).regex(/^[a-z0-9][a-z0-9/_.-]*$/, 'a rule id or family (e.g. capabilities/sys-admin)');
const IdentityKeyText = z.string().min(1).max(512);

/** Persisted settings: which notices are muted. */
export const NotificationSettings = z.object({
  /** Rule ids or families whose notices are muted. */
  mutedRules: z.array(RuleIdText).max(500),
  /** Identity keys of containers whose notices are muted. */
  mutedContainers: z.array(IdentityKeyText).max(500),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = { mutedRules: [], mutedContainers: [] };

/** Drift marks for the table and overview: running containers whose last change made them weaker, by container id. */
export const DriftMark = z.object({
  containerId: z.string(),
  container: z.string(),
  at: z.string(),
  scoreBefore: z.number().nullable(),
  scoreAfter: z.number().nullable(),
  findingsAdded: z.array(z.string()),
});
export type DriftMark = z.infer<typeof DriftMark>;
