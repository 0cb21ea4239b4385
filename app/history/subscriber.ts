// The history recorder as a subscriber of anything that emits snapshots: the engine session (serve, desktop, exporter).
import type { DriftMark, Notice } from '../model/history.js';
import type { Snapshot } from '../model/schema.js';
import { applyMutes, HistoryRecorder } from './recorder.js';
import type { HistoryStore } from './store.js';

/** What the recorder listens to. The engine session (app/poller/session.ts) is one; so is the live API. */
export interface SnapshotSource {
  subscribe(listener: (event: { type: string; snapshot?: Snapshot }) => void): () => void;
}

export interface RecordingOptions {
  /** A notice that is not muted. */
  onNotice?: (notice: Notice) => void;
  /** The drift marks changed. */
  onMarks?: (marks: DriftMark[]) => void;
  /** Recording failed (a locked or damaged database); said once per distinct message. */
  onError?: (error: Error) => void;
  now?: () => number;
}

export interface Recording {
  /** The drift marks of the running containers of the last snapshot. */
  marks(): DriftMark[];
  /** The last snapshot seen. */
  latest(): Snapshot | null;
  stop(): void;
}

/** Subscribe a recorder to a snapshot source: every snapshot is recorded, notices are muted by the stored settings. */
export function recordSnapshots(source: SnapshotSource, store: HistoryStore, options: RecordingOptions = {}): Recording {
  const recorder = new HistoryRecorder(store, { now: options.now });
  let latest: Snapshot | null = null;
  let marks: DriftMark[] = [];
  let marksKey = '';
  let lastError = '';

  function onSnapshot(snapshot: Snapshot): void {
    latest = snapshot;
    try {
      const { results, notices } = recorder.observe(snapshot);
      if (notices.length > 0) {
        const settings = store.getNotificationSettings();
        for (const notice of notices) {
          const shown = applyMutes(notice, settings);
          if (shown) options.onNotice?.(shown);
        }
      }
      const ids = snapshot.containers.map((container) => container.id).sort().join(',');
      if (results.some((result) => result.change) || ids !== marksKey) {
        marksKey = ids;
        const next = recorder.driftMarks(snapshot);
        if (JSON.stringify(next) !== JSON.stringify(marks)) {
          marks = next;
          options.onMarks?.(marks);
        }
      }
      lastError = '';
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (failure.message !== lastError) options.onError?.(failure);
      lastError = failure.message;
    }
  }

  const stop = source.subscribe((event) => {
    if (event.type === 'snapshot' && event.snapshot) onSnapshot(event.snapshot);
  });
  return { marks: () => marks, latest: () => latest, stop };
}
