import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ApiEvent, IsolensApi } from '../../app/api.js';
import type { Notice } from '../../app/model/history.js';
import type { EngineState, LiveStats } from '../../app/model/live.js';
import type { Snapshot } from '../../app/model/schema.js';
import { IsolensStore, STATS_WINDOW_SAMPLES } from './store.js';
import { snapshotDelta } from '../../app/model/delta.js';
import { apiDouble } from '../../e2e/harness/api-double.js';
import { VIEWER_REFRESH_MS, VIEWER_TTL_MS } from '../../app/model/viewers.js';

function snapshotWith(ids: string[], generatedAt = '2026-01-01T00:00:00.000Z'): Snapshot {
  return { generatedAt, containers: ids.map((id) => ({ id, name: `c-${id}` })) } as unknown as Snapshot;
}

function stats(id: string, atMs: number): LiveStats {
  return {
    id, atMs, cpuPercent: 1, memoryBytes: 1, memoryLimitBytes: null, pids: 1, pidsLimit: null, networkRxBytes: 0, networkTxBytes: 0,
    blockReadBytes: 0, blockWriteBytes: 0, cpuThrottledPeriods: 0, cpuThrottledUs: 0, oomKills: 0,
  };
}

function fakeApi(history: LiveStats[] = [], answer: () => Snapshot = () => snapshotWith(['a', 'b'])) {
  let listener: ((event: ApiEvent) => void) | null = null;
  let snapshotCalls = 0;
  let unsubscribed = false;
  let retries = 0;
  const engine: EngineState = { status: 'connected', endpoint: 'unix:///var/run/docker.sock', error: null, sinceMs: 0, nextRetryMs: null };
  const api: IsolensApi = {
    ...apiDouble(),
    getSnapshot: async () => {
      snapshotCalls++;
      return answer();
    },
    getInspect: async () => ({}),
    getStatsHistory: async () => history,
    getEngineState: async () => engine,
    retryEngine: async () => {
      retries++;
    },
    subscribe: (l) => {
      listener = l;
      return () => {
        unsubscribed = true;
      };
    },
  };
  return {
    api,
    emit: (event: ApiEvent) => listener?.(event),
    isSubscribed: () => listener !== null,
    isUnsubscribed: () => unsubscribed,
    retries: () => retries,
    snapshotCalls: () => snapshotCalls,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
/** Started, and following events: the store subscribes once the first snapshot is in and painted. */
async function started(store: IsolensStore, fake: ReturnType<typeof fakeApi>): Promise<void> {
  store.start();
  await vi.waitFor(() => expect(fake.isSubscribed()).toBe(true));
}

describe('IsolensStore', () => {
  it('loads the snapshot and engine state, then follows events; stop unsubscribes', async () => {
    const fake = fakeApi();
    const store = new IsolensStore(fake.api);
    const stop = store.start();
    await vi.waitFor(() => expect(fake.isSubscribed()).toBe(true));
    expect(store.getState().snapshot?.containers).toHaveLength(2);
    expect(store.getState().engine?.status).toBe('connected');
    fake.emit({ type: 'engine', state: { status: 'unreachable', endpoint: 'x', error: 'connect ENOENT', sinceMs: 1, nextRetryMs: 2 } });
    expect(store.getState().engine?.error).toBe('connect ENOENT');
    stop();
    expect(fake.isUnsubscribed()).toBe(true);
  });

  it('subscribes to events only once the first snapshot is in: subscribing starts the host\'s rebuild and sampling, which held that answer back', async () => {
    const fake = fakeApi();
    let answer: (snapshot: Snapshot) => void = () => undefined;
    const store = new IsolensStore({ ...fake.api, getSnapshot: () => new Promise<Snapshot>((resolve) => (answer = resolve)) });
    store.start();
    await flush();
    await flush();
    expect(fake.isSubscribed()).toBe(false);
    answer(snapshotWith(['a']));
    await vi.waitFor(() => expect(fake.isSubscribed()).toBe(true));
    expect(store.getState().snapshot?.containers.map((c) => c.id)).toEqual(['a']);
  });

  it('firstAnswer settles once the first snapshot is in the state, or its error is: the page renders first then', async () => {
    const fake = fakeApi();
    let answer: (snapshot: Snapshot) => void = () => undefined;
    const store = new IsolensStore({ ...fake.api, getSnapshot: () => new Promise<Snapshot>((resolve) => (answer = resolve)) });
    store.start();
    let settled = false;
    void store.firstAnswer().then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    answer(snapshotWith(['a']));
    await vi.waitFor(() => expect(settled).toBe(true));
    expect(store.getState().snapshot?.containers.map((c) => c.id)).toEqual(['a']);

    const failing = new IsolensStore({ ...fake.api, getSnapshot: async () => Promise.reject(new Error('Lost connection to isolens serve')) });
    failing.start();
    await failing.firstAnswer();
    expect(failing.getState().apiError).toContain('Lost connection');
  });

  it('subscribes after a failed first getSnapshot too, so engine events still reach the banner', async () => {
    const fake = fakeApi();
    const store = new IsolensStore({ ...fake.api, getSnapshot: async () => Promise.reject(new Error('Lost connection to isolens serve')) });
    await started(store, fake);
    expect(store.getState().apiError).toContain('Lost connection');
    fake.emit({ type: 'engine', state: { status: 'unreachable', endpoint: 'x', error: 'connect ENOENT', sinceMs: 1, nextRetryMs: 2 } });
    expect(store.getState().engine?.status).toBe('unreachable');
  });

  it('asks again once subscribed when the first answer was null (first scan running): a snapshot sent before it listened is not missed', async () => {
    let calls = 0;
    const fake = fakeApi([], () => (calls++ === 0 ? null : snapshotWith(['a'])) as Snapshot);
    const store = new IsolensStore(fake.api);
    store.start();
    await vi.waitFor(() => expect(store.getState().snapshot?.containers.map((c) => c.id)).toEqual(['a']));
    expect(fake.isSubscribed()).toBe(true);
    expect(fake.snapshotCalls()).toBe(2);
  });

  it('tells the host which containers are on screen: at once, after a change settles, and again before its list expires', async () => {
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers());
    const told: Array<{ viewerId: string; ids: string[] }> = [];
    const fake = fakeApi();
    const store = new IsolensStore({ ...fake.api, setVisibleContainers: async (viewerId, ids) => void told.push({ viewerId, ids }) });
    const stop = store.start();
    expect(told.map((t) => t.ids)).toEqual([[]]); // nothing drawn yet
    const viewer = told[0]!.viewerId;
    expect(viewer).toMatch(/^[A-Za-z0-9_-]{16,64}$/); // what the API's validation takes
    const releaseRowB = store.showStats('b');
    const releaseRowA = store.showStats('a');
    const releaseChartA = store.showStats('a'); // the drill-down shows a too
    await vi.advanceTimersByTimeAsync(200);
    expect(told.at(-1)).toEqual({ viewerId: viewer, ids: ['a', 'b'] });
    releaseRowA();
    releaseRowA(); // idempotent: the chart still shows a
    await vi.advanceTimersByTimeAsync(200);
    expect(told).toHaveLength(2); // same list: nothing sent
    releaseChartA();
    releaseRowB();
    const again = store.showStats('b'); // scrolled away and back within the settling time
    await vi.advanceTimersByTimeAsync(200);
    expect(told.at(-1)!.ids).toEqual(['b']);
    const count = told.length;
    await vi.advanceTimersByTimeAsync(VIEWER_REFRESH_MS);
    expect(told).toHaveLength(count + 1);
    expect(told.at(-1)).toEqual({ viewerId: viewer, ids: ['b'] });
    expect(VIEWER_REFRESH_MS * 2).toBeLessThan(VIEWER_TTL_MS);
    again();
    stop();
    await vi.advanceTimersByTimeAsync(VIEWER_REFRESH_MS * 3);
    expect(told).toHaveLength(count + 1); // stopped: no more repeats
  });

  it('knows since when a container has been shown without a break, for the charts to tell a gap from 10 s sampling', () => {
    vi.useFakeTimers({ now: 50_000 });
    onTestFinished(() => void vi.useRealTimers());
    const store = new IsolensStore(fakeApi().api);
    expect(store.shownSinceMs('a')).toBeNull();
    const releaseRow = store.showStats('a');
    vi.setSystemTime(53_000);
    const releaseChart = store.showStats('a'); // the drill-down too: still shown since the row was
    expect(store.shownSinceMs('a')).toBe(50_000);
    releaseRow();
    expect(store.shownSinceMs('a')).toBe(50_000);
    releaseChart();
    expect(store.shownSinceMs('a')).toBeNull();
    vi.setSystemTime(60_000);
    const again = store.showStats('a');
    expect(store.shownSinceMs('a')).toBe(60_000);
    again();
  });

  it('keeps at most five minutes of samples per container', async () => {
    const fake = fakeApi();
    const store = new IsolensStore(fake.api);
    await started(store, fake);
    for (let t = 1; t <= 1000; t++) fake.emit({ type: 'stats', stats: [stats('a', t * 1000), stats('b', t * 1000)] });
    const window = store.statsOf('a');
    expect(window).toHaveLength(STATS_WINDOW_SAMPLES);
    expect(window[0]!.atMs).toBe(701_000);
    expect(store.latestStats('b')?.atMs).toBe(1_000_000);
  });

  it('bumps only the versions of containers that got a sample, and ignores replays', async () => {
    const fake = fakeApi();
    const store = new IsolensStore(fake.api);
    await started(store, fake);
    fake.emit({ type: 'stats', stats: [stats('a', 1000)] });
    fake.emit({ type: 'stats', stats: [stats('a', 1000)] });
    expect(store.statsVersion('a')).toBe(1);
    expect(store.statsVersion('b')).toBe(0);
    expect(store.statsOf('a')).toHaveLength(1);
  });

  it('forgets the window of a container that left the snapshot, and ignores stats of unknown containers', async () => {
    const fake = fakeApi();
    const store = new IsolensStore(fake.api);
    await started(store, fake);
    fake.emit({ type: 'stats', stats: [stats('a', 1000), stats('b', 1000), stats('ghost', 1000)] });
    expect(store.statsOf('ghost')).toHaveLength(0);
    fake.emit({ type: 'snapshot', snapshot: snapshotWith(['b'], '2026-01-01T00:00:05.000Z') });
    expect(store.statsOf('a')).toHaveLength(0);
    expect(store.statsOf('b')).toHaveLength(1);
  });

  it('seeds a window from the history and merges it with live samples, in time order, without duplicates', async () => {
    const history = Array.from({ length: 400 }, (_, i) => stats('a', (i + 1) * 1000));
    const fake = fakeApi(history);
    const store = new IsolensStore(fake.api);
    await started(store, fake);
    fake.emit({ type: 'stats', stats: [stats('a', 400_000), stats('a', 401_000)] });
    await store.seedHistory('a');
    const window = store.statsOf('a');
    expect(window).toHaveLength(STATS_WINDOW_SAMPLES);
    expect(window.at(-1)!.atMs).toBe(401_000);
    expect(new Set(window.map((s) => s.atMs)).size).toBe(STATS_WINDOW_SAMPLES);
    expect(window.every((s, i) => i === 0 || s.atMs > window[i - 1]!.atMs)).toBe(true);
  });

  it('seeds a table row once: the first seedOnce fills the window from the history, later ones do not ask again', async () => {
    const history = Array.from({ length: 30 }, (_, i) => stats('a', (i + 1) * 1000));
    const fake = fakeApi(history);
    let asked = 0;
    const api = { ...fake.api, getStatsHistory: (id: string) => (asked++, fake.api.getStatsHistory(id)) };
    const store = new IsolensStore(api);
    await started(store, fake);
    store.seedOnce('a');
    store.seedOnce('a');
    await flush();
    expect(store.statsOf('a')).toHaveLength(30);
    store.seedOnce('a');
    await flush();
    expect(asked).toBe(1);
  });

  it('a retry asks the API and clears its in-flight flag', async () => {
    const fake = fakeApi();
    const store = new IsolensStore(fake.api);
    const pending = store.retryEngine();
    expect(store.getState().retrying).toBe(true);
    await pending;
    expect(fake.retries()).toBe(1);
    expect(store.getState().retrying).toBe(false);
  });

  it('applies a delta made for its snapshot without asking for the whole snapshot again', async () => {
    const fake = fakeApi();
    const store = new IsolensStore(fake.api);
    await started(store, fake);
    const base = store.getState().snapshot!;
    const after = snapshotWith(['b', 'c'], '2026-01-01T00:00:05.000Z');
    fake.emit({ type: 'delta', delta: snapshotDelta(base, after, { added: ['c'], updated: [], removed: ['a'] }) });
    expect(store.getState().snapshot?.containers.map((c) => c.id)).toEqual(['b', 'c']);
    expect(store.getState().snapshot?.generatedAt).toBe('2026-01-01T00:00:05.000Z');
    expect(fake.snapshotCalls()).toBe(1);
  });

  it('resyncs once on a delta for another base, and applies the deltas that arrive meanwhile on top', async () => {
    const t5 = snapshotWith(['a', 'b', 'c'], '2026-01-01T00:00:05.000Z');
    let answer = snapshotWith(['a', 'b']);
    const fake = fakeApi([], () => answer);
    const store = new IsolensStore(fake.api);
    await started(store, fake);
    // A delta from t5 to t10 while the client holds t0 (it missed the t0→t5 one): resync, answered with t5.
    answer = t5;
    const t10 = snapshotWith(['b', 'c'], '2026-01-01T00:00:10.000Z');
    const t15 = snapshotWith(['b', 'c', 'd'], '2026-01-01T00:00:15.000Z');
    fake.emit({ type: 'delta', delta: snapshotDelta(t5, t10, { added: [], updated: [], removed: ['a'] }) });
    fake.emit({ type: 'delta', delta: snapshotDelta(t10, t15, { added: ['d'], updated: [], removed: [] }) });
    await flush();
    expect(fake.snapshotCalls()).toBe(2);
    expect(store.getState().snapshot?.generatedAt).toBe('2026-01-01T00:00:15.000Z');
    expect(store.getState().snapshot?.containers.map((c) => c.id)).toEqual(['b', 'c', 'd']);
  });

  it('a delta leaves what the drift badges and the lab select as it was (same mark object, same engine status), so they do not re-render', async () => {
    const fake = fakeApi();
    const store = new IsolensStore(fake.api);
    await started(store, fake);
    const mark = { containerId: 'a', container: 'c-a', at: '2026-01-01T00:00:00.000Z', scoreBefore: 90, scoreAfter: 40, findingsAdded: ['capabilities/sys-admin'] };
    fake.emit({ type: 'drift', marks: [mark] });
    const before = { mark: store.driftOf('a'), status: store.getState().engine?.status };
    let notified = 0;
    store.subscribe(() => notified++);
    const base = store.getState().snapshot!;
    fake.emit({ type: 'delta', delta: snapshotDelta(base, snapshotWith(['a', 'b'], '2026-01-01T00:00:05.000Z'), { added: [], updated: ['b'], removed: [] }) });
    expect(notified).toBeGreaterThan(0); // the table does re-render
    expect(store.driftOf('a')).toBe(before.mark);
    expect(store.getState().engine?.status).toBe(before.status);
    fake.emit({ type: 'drift', marks: [] });
    expect(store.driftOf('a')).toBeUndefined();
  });

  describe('a desktop notification clicked (open-notice)', () => {
    afterEach(() => vi.unstubAllGlobals());
    const notice = (kind: Notice['kind']): Notice => ({
      id: `n-${kind}`, kind, at: '2026-01-01T00:00:00.000Z', containerId: 'abc/123', container: 'name:web', name: 'web', ruleIds: ['capabilities/sys-admin'],
      severity: 'critical', scoreBefore: null, scoreAfter: 40, title: 'web started with a critical finding', body: 'CAP_SYS_ADMIN',
    });

    it.each([
      ['critical-start', '#/container/abc%2F123/findings'],
      ['drift', '#/container/abc%2F123/history'],
    ] as const)('a %s notice opens %s, as the in-app notice does', async (kind, hash) => {
      const location = { hash: '#/' };
      vi.stubGlobal('location', location);
      const fake = fakeApi();
      await started(new IsolensStore(fake.api), fake);
      fake.emit({ type: 'open-notice', notice: notice(kind) });
      expect(location.hash).toBe(hash);
    });
  });
});
