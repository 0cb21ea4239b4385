// The history half of IsolensApi on top of the live half: records the session's snapshots, pushes notices and drift marks.
import type { ApiEvent, IsolensApi, LiveMethods } from '../api.js';
import type { ContainerHistory, DriftMark, NotificationSettings } from '../model/history.js';
import { diffContainers, type ContainerDiff } from '../lab/diff.js';
import { identityOf } from './identity.js';
import { defaultHistoryPath } from './paths.js';
import { HistoryError, HistoryStore } from './store.js';
import { recordSnapshots, type SnapshotSource } from './subscriber.js';

/** The live side: its requests and events, closing, and the engine session it subscribes to (when it has one). */
export type LiveSide = LiveMethods & { close(): Promise<void>; session?: SnapshotSource };

export interface WithHistoryOptions {
  /** The database; when it could not be opened, the error (history calls reject with it, the rest works). */
  store: HistoryStore | HistoryError;
  /** Told about a failure to record (a locked or damaged database), once per distinct message. */
  onError?: (error: Error) => void;
  now?: () => number;
}

/** How a long-running process (serve, the exporter, the desktop app) is told where and whether to record. */
export interface ServerHistoryFlags {
  /** --history-db; the per-user database by default. */
  historyDb?: string;
  /** --retention in ms; 90 days by default. */
  retention?: number;
  /** false for --no-history. */
  history?: boolean;
}

/**
 * Open the database of a long-running process from its flags. A database that cannot be used is said once through
 * `report` and returned as the error (not fatal: the process works without history); --no-history is one too, unsaid.
 */
export function openHistoryForServer(flags: ServerHistoryFlags, report: (message: string) => void): HistoryStore | HistoryError {
  const path = flags.historyDb ?? defaultHistoryPath();
  if (flags.history === false) return new HistoryError('history is off (--no-history)', path);
  try {
    return HistoryStore.open(path, { retentionMs: flags.retention });
  } catch (error) {
    const failure = error instanceof HistoryError ? error : new HistoryError(error instanceof Error ? error.message : String(error), path);
    report(`history is not recorded: ${failure.message}`);
    return failure;
  }
}

/**
 * IsolensApi = the live API + history. The recorder subscribes to the engine session the live API subscribes to
 * (so it sees every rebuild, whether or not a window listens); nothing changes on the live side. Listeners of the
 * result get the live events plus `notice` (muted ones dropped) and `drift`.
 */
export function withHistory(live: LiveSide, options: WithHistoryOptions): IsolensApi & { close(): Promise<void> } {
  const store = options.store instanceof HistoryStore ? options.store : null;
  const unavailable = options.store instanceof HistoryError ? options.store : null;
  const listeners = new Set<(event: ApiEvent) => void>();

  const emit = (event: ApiEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        /* a listener's failure is its own */
      }
    }
  };

  // Subscribed to the live side only while someone listens here: the live API samples stats and refreshes at its
  // watched pace while it has a listener, so holding one for good would make an unwatched serve work as if watched.
  let stopLive: (() => void) | null = null;
  const recording = store
    ? recordSnapshots(live.session ?? live, store, {
        onNotice: (notice) => emit({ type: 'notice', notice }),
        onMarks: (marks) => emit({ type: 'drift', marks }),
        onError: options.onError,
        now: options.now,
      })
    : null;

  const need = (): HistoryStore => {
    if (!store) throw unavailable ?? new Error('history is not recorded by this Isolens');
    return store;
  };

  async function identityKeyOf(id: string): Promise<string> {
    const snapshot = (await live.getSnapshot()) ?? recording?.latest() ?? null;
    const container = snapshot?.containers.find((c) => c.id === id || c.id.startsWith(id));
    if (!container) throw new Error(`no running container with id ${id}`);
    return identityOf(container).key;
  }

  return {
    getSnapshot: () => live.getSnapshot(),
    getInspect: (id) => live.getInspect(id),
    getStatsHistory: (id) => live.getStatsHistory(id),
    setVisibleContainers: (viewerId, ids) => live.setVisibleContainers(viewerId, ids),
    getEngineState: () => live.getEngineState(),
    retryEngine: () => live.retryEngine(),
    diffContainers: (a, b) => live.diffContainers(a, b),
    generateFix: (id) => live.generateFix(id),
    generateComposeOverride: (id) => live.generateComposeOverride(id),
    exportReport: (request) => live.exportReport(request),
    listLabImages: () => live.listLabImages(),
    listProbes: () => live.listProbes(),
    runLab: (labOptions) => live.runLab(labOptions),
    closeLab: () => live.closeLab(),
    runProbe: (id, probeId) => live.runProbe(id, probeId),

    async getHistory(id: string): Promise<ContainerHistory> {
      const key = await identityKeyOf(id);
      const found = need().history(key);
      // The page may show a snapshot the recorder has not written yet (a container seconds old).
      if (!found) throw new Error(`no history recorded yet for ${key}`);
      return found;
    },
    async getHistoryVersions(id: string, before: number, after: number): Promise<ContainerDiff> {
      const documents = need().documents(await identityKeyOf(id));
      const a = documents[before];
      const b = documents[after];
      if (!a || !b) throw new Error(`no versions ${before} and ${after} (there are ${documents.length})`);
      return diffContainers(a, b);
    },
    async getDriftMarks(): Promise<DriftMark[]> {
      return recording?.marks() ?? [];
    },
    async getNotificationSettings(): Promise<NotificationSettings> {
      return need().getNotificationSettings();
    },
    async setNotificationSettings(settings: NotificationSettings): Promise<NotificationSettings> {
      return need().setNotificationSettings(settings);
    },

    subscribe(listener) {
      listeners.add(listener);
      stopLive ??= live.subscribe(emit);
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        stopLive?.();
        stopLive = null;
      };
    },
    async close() {
      recording?.stop();
      stopLive?.();
      stopLive = null;
      listeners.clear();
      await live.close();
      store?.close();
    },
  };
}
