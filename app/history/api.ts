// The history half of IsolensApi on top of the live half: records every snapshot, pushes notices and drift marks.
import type { ApiEvent, IsolensApi, LiveMethods } from '../api.js';
import type { ContainerHistory, DriftMark, NotificationSettings, VersionPair } from '../model/history.js';
import type { Snapshot } from '../model/schema.js';
import { identityOf } from './identity.js';
import { applyMutes, HistoryRecorder } from './recorder.js';
import { HistoryError, HistoryStore, type OpenOptions } from './store.js';

/** The live side as the recorder needs it: requests, events, and closing. */
export type LiveSide = LiveMethods & { close(): Promise<void> };

export interface WithHistoryOptions {
  /** The database; when it could not be opened, the error (history calls reject with it, the rest works). */
  store: HistoryStore | HistoryError;
  /** Told about a failure to record (a locked or damaged database), once per distinct message. */
  onError?: (error: Error) => void;
  now?: () => number;
}

/** Open the database for a long-running process; a database that cannot be used is reported, not fatal. */
export function openHistoryForServer(path: string, options: OpenOptions = {}): HistoryStore | HistoryError {
  try {
    return HistoryStore.open(path, options);
  } catch (error) {
    return error instanceof HistoryError ? error : new HistoryError(error instanceof Error ? error.message : String(error), path);
  }
}

/**
 * IsolensApi = the live API + history. The recorder subscribes to the live side's snapshots (today the poller's; the
 * engine session's once it emits them) and nothing else changes there. Listeners of the result get the live events
 * plus `notice` (muted ones dropped) and `drift`.
 */
export function withHistory(live: LiveSide, options: WithHistoryOptions): IsolensApi & { close(): Promise<void> } {
  const store = options.store instanceof HistoryStore ? options.store : null;
  const unavailable = options.store instanceof HistoryError ? options.store : null;
  const recorder = store ? new HistoryRecorder(store, { now: options.now }) : null;
  const listeners = new Set<(event: ApiEvent) => void>();
  let latest: Snapshot | null = null;
  let marks: DriftMark[] = [];
  let marksKey = '';
  let lastError = '';

  const emit = (event: ApiEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        /* a listener's failure is its own */
      }
    }
  };

  const need = (): HistoryStore => {
    if (!store) throw unavailable ?? new Error('history is not recorded by this Isolens');
    return store;
  };

  function onSnapshot(snapshot: Snapshot): void {
    latest = snapshot;
    if (!recorder || !store) return;
    try {
      const { results, notices } = recorder.observe(snapshot);
      const settings = notices.length > 0 ? store.getNotificationSettings() : null;
      for (const notice of notices) {
        const shown = applyMutes(notice, settings!);
        if (shown) emit({ type: 'notice', notice: shown });
      }
      const ids = snapshot.containers.map((container) => container.id).sort().join(',');
      if (results.some((result) => result.change) || ids !== marksKey) {
        marksKey = ids;
        const next = recorder.driftMarks(snapshot);
        if (JSON.stringify(next) !== JSON.stringify(marks)) {
          marks = next;
          emit({ type: 'drift', marks });
        }
      }
      lastError = '';
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (failure.message !== lastError) options.onError?.(failure);
      lastError = failure.message;
    }
  }

  const stopLive = live.subscribe((event) => {
    emit(event);
    if (event.type === 'snapshot') onSnapshot(event.snapshot);
  });

  async function identityKeyOf(id: string): Promise<string> {
    const snapshot = latest ?? (await live.getSnapshot());
    const container = snapshot?.containers.find((c) => c.id === id || c.id.startsWith(id));
    if (!container) throw new Error(`no running container with id ${id}`);
    return identityOf(container).key;
  }

  const history = {
    async getHistory(id: string): Promise<ContainerHistory> {
      const key = await identityKeyOf(id);
      const found = need().history(key);
      // Recording is asynchronous to the snapshot a page shows: a container this new has one version (its first).
      if (!found) throw new Error(`no history recorded yet for ${key}`);
      return found;
    },
    async getHistoryVersions(id: string, before: number, after: number): Promise<VersionPair> {
      const documents = need().documents(await identityKeyOf(id));
      const a = documents[before];
      const b = documents[after];
      if (!a || !b) throw new Error(`no versions ${before} and ${after} (there are ${documents.length})`);
      return { before: a, after: b };
    },
    async getDriftMarks(): Promise<DriftMark[]> {
      return marks;
    },
    async getNotificationSettings(): Promise<NotificationSettings> {
      return need().getNotificationSettings();
    },
    async setNotificationSettings(settings: NotificationSettings): Promise<NotificationSettings> {
      return need().setNotificationSettings(settings);
    },
  };

  const api: IsolensApi & { close(): Promise<void> } = {
    getSnapshot: () => live.getSnapshot(),
    getInspect: (id) => live.getInspect(id),
    getStatsHistory: (id) => live.getStatsHistory(id),
    getEngineState: () => live.getEngineState(),
    retryEngine: () => live.retryEngine(),
    diffContainers: (a, b) => live.diffContainers(a, b),
    generateFix: (id) => live.generateFix(id),
    listLabImages: () => live.listLabImages(),
    listProbes: () => live.listProbes(),
    runLab: (labOptions) => live.runLab(labOptions),
    closeLab: () => live.closeLab(),
    runProbe: (id, probeId) => live.runProbe(id, probeId),
    ...history,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      stopLive();
      listeners.clear();
      await live.close();
      store?.close();
    },
  };
  // The first snapshot may be there before anyone subscribed (the poller scans before it resolves).
  void live.getSnapshot().then((snapshot) => {
    if (snapshot && !latest) onSnapshot(snapshot);
  }, () => undefined);
  return api;
}
