// The one API every UI talks to: the Electron preload exposes it over IPC, `isolens serve` over HTTP + WebSocket.
import * as z from 'zod';
import type { Snapshot } from './model/schema.js';
import type { EngineState, LiveStats } from './model/live.js';
import type { OperationId } from './model/schema.js';
import type { SnapshotDelta } from './model/delta.js';
import { LabOptions, ProbeIdSchema, type LabOptionsInput, type ProbeId } from './model/lab.js';
import type { ContainerDiff } from './lab/diff.js';
import type { GeneratedFix } from './lab/fix.js';
import type { ComposeOverride } from './lab/compose-override.js';
import { ExportRequest, type ExportedReport } from './model/export.js';
import type { LabResult } from './lab/lab.js';
import type { ProbeResult, RunProbeRefusal } from './lab/probes.js';
import { MAX_VISIBLE_CONTAINERS } from './model/viewers.js';
import { NotificationSettings, type ContainerHistory, type DriftMark, type Notice } from './model/history.js';

/** A probe of the catalogue, as the UI lists it. */
export interface ProbeInfo {
  id: ProbeId;
  title: string;
  /** Destructive probes (fork past the pids limit, allocate past the memory limit) run only in lab containers. */
  destructive: boolean;
  /** What it does, in a sentence a user reads before running it on their own container. */
  description: string;
  /** The operation ("What can it do?") whose predicted verdict this probe checks, or null when it checks none. */
  operation: OperationId | null;
  /** Rule ids of the findings it puts to the test (a finding's "Try it" runs it). */
  answers: string[];
  /** Why this host runs no probe (serve --read-only), or null when it can; the UI shows it where the button would act. */
  unavailable: string | null;
}

/**
 * Pushed to subscribers; the renderer keeps no other channel open. A live host sends the whole snapshot once, then a
 * `delta` per rebuild (the containers that changed); a client whose snapshot is not the delta's base calls getSnapshot.
 */
export type ApiEvent =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'delta'; delta: SnapshotDelta }
  | { type: 'stats'; stats: LiveStats[] }
  | { type: 'engine'; state: EngineState }
  /** A container started with a critical finding or drifted weaker (muted ones are not sent). */
  | { type: 'notice'; notice: Notice }
  /** The drift marks changed (all of them, replacing the previous list). */
  | { type: 'drift'; marks: DriftMark[] }
  /** Sent by the desktop host only, when the user clicks a notice's notification: show it as the in-app notice would. */
  | { type: 'open-notice'; notice: Notice };

/** Posture history (app/history): what each container's isolation was, and what changed. */
export interface HistoryApi {
  /** The recorded versions of a running container's identity (compose project/service, else name) and the changes. */
  getHistory(id: string): Promise<ContainerHistory>;
  /** Two recorded versions (indexes into getHistory's versions) side by side, as the compare view shows containers. */
  getHistoryVersions(id: string, before: number, after: number): Promise<ContainerDiff>;
  /** Running containers whose last recorded change made them weaker. */
  getDriftMarks(): Promise<DriftMark[]>;
  /** Which notices are muted (persisted in the history database). */
  getNotificationSettings(): Promise<NotificationSettings>;
  /** Replace the mutes; the only write the API offers, and it writes Isolens' own settings, never a container. */
  setNotificationSettings(settings: NotificationSettings): Promise<NotificationSettings>;
}

export interface IsolensApi extends HistoryApi {
  /** The latest snapshot (containers with facts, findings and grades); null before the first scan finishes. */
  getSnapshot(): Promise<Snapshot | null>;
  /** The engine's raw inspect document of one container, for the Raw tab. Env values are redacted. */
  getInspect(id: string): Promise<unknown>;
  /** The live stats history kept for one container (the last five minutes). */
  getStatsHistory(id: string): Promise<LiveStats[]>;
  /**
   * What one viewer (a window or browser tab, named by an id it chose) shows live stats of now: the table's rows in
   * view, the open drill-down. Those are sampled every second, the union over viewers; the rest every ten seconds.
   * Replaces the viewer's previous list; a viewer that does not repeat it within VIEWER_TTL_MS is forgotten.
   */
  setVisibleContainers(viewerId: string, ids: string[]): Promise<void>;
  /** The current engine connection state. */
  getEngineState(): Promise<EngineState>;
  /** Reconnect to the engine now instead of waiting for the next retry. */
  retryEngine(): Promise<void>;
  /** Events as they happen; returns the unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;

  // ---- hardening lab: the only calls that create containers, and only Isolens' own (labelled, auto-removed) ----
  /** Two containers' isolation side by side: every fact and finding, differences marked, the score delta. */
  diffContainers(idA: string, idB: string): Promise<ContainerDiff>;
  /** The docker run command and compose service that recreate a container with its findings fixed. */
  generateFix(id: string): Promise<GeneratedFix>;
  /**
   * One compose.override.yml hardening every service of the compose project this container belongs to (as `isolens fix
   * --compose-project` prints it). Asked by container id, so the project's name (label text) never travels back in.
   */
  generateComposeOverride(id: string): Promise<ComposeOverride>;
  /** The current snapshot as a report file (HTML, SARIF, Markdown summary or full, JSON), as `isolens scan --format` writes it. */
  exportReport(request: ExportRequest): Promise<ExportedReport>;
  /** Local images the lab can start. */
  listLabImages(): Promise<string[]>;
  /** The probe catalogue. */
  listProbes(): Promise<ProbeInfo[]>;
  /** Start a throwaway lab container with these options, grade it, run the probes; compares with the previous run. */
  runLab(options: LabOptionsInput): Promise<LabResult>;
  /** Remove this session's lab containers; resolves to how many were removed. */
  closeLab(): Promise<number>;
  /** One non-destructive probe inside a running container, on explicit request (destructive ones: lab containers only). */
  runProbe(id: string, probeId: ProbeId): Promise<ProbeResult | RunProbeRefusal>;
}

/** Everything but history: what the engine side (the poller, the session) serves; withHistory adds the rest. */
export type LiveMethods = Omit<IsolensApi, keyof HistoryApi>;

/** The request methods, by name: the single list IPC channels and HTTP routes are derived from. */
export const API_METHODS = [
  'getSnapshot',
  'getInspect',
  'getStatsHistory',
  'setVisibleContainers',
  'getEngineState',
  'retryEngine',
  'diffContainers',
  'generateFix',
  'generateComposeOverride',
  'exportReport',
  'listLabImages',
  'listProbes',
  'runLab',
  'closeLab',
  'runProbe',
  'getHistory',
  'getHistoryVersions',
  'getDriftMarks',
  'getNotificationSettings',
  'setNotificationSettings',
] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** Validation of each method's arguments at the boundary (IPC payloads, HTTP requests). */
const ContainerId = z.string().regex(/^[a-f0-9]{12,64}$/, 'a container id (12 to 64 hex characters)');
const VersionIndex = z.number().int().min(0).max(100_000);
/** Full ids only where a list is kept: a prefix would match more than the viewer shows. */
const FullContainerId = z.string().regex(/^[a-f0-9]{64}$/, 'a full container id (64 hex characters)');
/** A viewer names itself (crypto.randomUUID() in the renderer); the server keeps at most MAX_VIEWERS of them. */
const ViewerId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a viewer id (16 to 64 letters, digits, _ or -)');

export const API_ARGUMENTS: { [M in ApiMethod]: z.ZodType<Parameters<IsolensApi[M]>> } = {
  getSnapshot: z.tuple([]),
  getInspect: z.tuple([ContainerId]),
  getStatsHistory: z.tuple([ContainerId]),
  setVisibleContainers: z.tuple([ViewerId, z.array(FullContainerId).max(MAX_VISIBLE_CONTAINERS)]),
  getEngineState: z.tuple([]),
  retryEngine: z.tuple([]),
  diffContainers: z.tuple([ContainerId, ContainerId]),
  generateFix: z.tuple([ContainerId]),
  generateComposeOverride: z.tuple([ContainerId]),
  exportReport: z.tuple([ExportRequest]),
  listLabImages: z.tuple([]),
  listProbes: z.tuple([]),
  runLab: z.tuple([LabOptions]) as unknown as z.ZodType<[LabOptionsInput]>,
  closeLab: z.tuple([]),
  runProbe: z.tuple([ContainerId, ProbeIdSchema]),
  getHistory: z.tuple([ContainerId]),
  getHistoryVersions: z.tuple([ContainerId, VersionIndex, VersionIndex]),
  getDriftMarks: z.tuple([]),
  getNotificationSettings: z.tuple([]),
  setNotificationSettings: z.tuple([NotificationSettings]),
};
