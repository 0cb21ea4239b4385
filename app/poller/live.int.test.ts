// The live API against a real engine: deltas after the first snapshot, and stats sampled only while someone listens.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ApiEvent } from '../api.js';
import { applySnapshotDelta } from '../model/delta.js';
import { createLiveApi, type LiveApi } from './live.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withHistory } from '../history/api.js';
import { HistoryStore } from '../history/store.js';
import { removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';

const PREFIX = 'isolens-int-live-';
const client = testClient();
let api: LiveApi;

function waitFor(events: ApiEvent[], match: (event: ApiEvent) => boolean, timeoutMs = 20_000): Promise<ApiEvent> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = events.find(match);
      if (found) return resolve(found);
      if (Date.now() > deadline) return reject(new Error('no matching event'));
      setTimeout(check, 50);
    };
    check();
  });
}

describe('LiveApi', () => {
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    await startContainer(`${PREFIX}first`, { HostConfig: { Memory: 64 * 1024 * 1024, PidsLimit: 40 } });
    api = await createLiveApi({ statsIntervalMs: 200, refreshIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await api?.close();
    await removeTestContainers(client, PREFIX);
  });

  it('sends a started container as a delta on the snapshot a client holds, not the whole snapshot again', async () => {
    const events: ApiEvent[] = [];
    const stop = api.subscribe((event) => events.push(event));
    onTestFinished(stop); // a failed assertion must not leave a listener that keeps stats sampling for the next test
    let snapshot = (await api.getSnapshot())!;
    const second = await startContainer(`${PREFIX}second`);
    await waitFor(events, (e) => e.type === 'delta' && e.delta.upserted.some((c) => c.id === second.id));
    // Events arrive synchronously from the session, so right now the last delta is the session's latest snapshot.
    for (const event of events) if (event.type === 'delta') snapshot = applySnapshotDelta(snapshot, event.delta) ?? snapshot;
    expect(events.some((e) => e.type === 'snapshot')).toBe(false);
    expect(snapshot).toEqual(api.session.latest());
    const delta = events.find((e) => e.type === 'delta' && e.delta.upserted.some((c) => c.id === second.id));
    if (delta?.type !== 'delta') throw new Error('unreachable');
    expect(delta.delta.upserted.map((c) => c.name)).toEqual([`${PREFIX}second`]);
    stop();
  });

  it('samples stats while a listener is subscribed and stops when the last one leaves', async () => {
    const events: ApiEvent[] = [];
    const stop = api.subscribe((event) => events.push(event));
    onTestFinished(stop);
    const sample = await waitFor(events, (e) => e.type === 'stats' && e.stats.some((s) => s.memoryLimitBytes === 64 * 1024 * 1024));
    if (sample.type !== 'stats') throw new Error('unreachable');
    const first = sample.stats.find((s) => s.memoryLimitBytes === 64 * 1024 * 1024)!;
    expect(first.pidsLimit).toBe(40);
    expect(first.pids).toBeGreaterThanOrEqual(1);
    stop();
    const history = await api.getStatsHistory(first.id);
    await new Promise((resolve) => setTimeout(resolve, 800));
    // No listener: no new samples were taken.
    expect((await api.getStatsHistory(first.id)).length).toBe(history.length);
  });

  it('holds the session watched while a client listens, and drops the stats history once the last client has been gone a while', async () => {
    const other = await createLiveApi({ session: api.session, statsIntervalMs: 200, releaseAfterMs: 300 });
    onTestFinished(() => other.close());
    expect(api.session.watched()).toBe(false);
    const events: ApiEvent[] = [];
    const stop = other.subscribe((event) => events.push(event));
    onTestFinished(stop);
    expect(api.session.watched()).toBe(true);
    const sample = await waitFor(events, (e) => e.type === 'stats' && e.stats.length > 0);
    if (sample.type !== 'stats') throw new Error('unreachable');
    const id = sample.stats[0]!.id;
    expect((await other.getStatsHistory(id)).length).toBeGreaterThan(0);
    stop();
    stop(); // idempotent: must not release a watch it no longer holds
    expect(api.session.watched()).toBe(false);
    const deadline = Date.now() + 10_000;
    while ((await other.getStatsHistory(id)).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await other.getStatsHistory(id)).toEqual([]);
  });

  it('with history on, an unwatched API samples nothing and stays at the idle pace; history is still recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isolens-int-live-history-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const store = HistoryStore.open(join(dir, 'history.db'));
    const own = await createLiveApi({ statsIntervalMs: 100, refreshIntervalMs: 60_000 });
    const full = withHistory(own, { store });
    onTestFinished(() => full.close());
    // The recorder hears the session whether or not anyone watches.
    const deadline = Date.now() + 20_000;
    while (store.identities().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.identities().map((identity) => identity.name)).toContain(`${PREFIX}first`);
    const id = (await full.getSnapshot())!.containers.find((c) => c.name === `${PREFIX}first`)!.id;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(own.session.watched()).toBe(false);
    expect(await full.getStatsHistory(id)).toEqual([]);
    const events: ApiEvent[] = [];
    const stop = full.subscribe((event) => events.push(event));
    onTestFinished(stop);
    expect(own.session.watched()).toBe(true);
    await waitFor(events, (e) => e.type === 'stats' && e.stats.some((s) => s.id === id));
    stop();
    expect(own.session.watched()).toBe(false);
  });

  it('samples what a viewer shows every interval and the rest every tenth, keeping their histories', async () => {
    const shown = await startContainer(`${PREFIX}shown`);
    const other = await createLiveApi({ session: api.session, statsIntervalMs: 100 });
    onTestFinished(() => other.close());
    const events: ApiEvent[] = [];
    const stop = other.subscribe((event) => events.push(event));
    onTestFinished(stop);
    await waitFor(events, (e) => e.type === 'stats' && e.stats.some((s) => s.id === shown.id));
    const firstId = (await other.getSnapshot())!.containers.find((c) => c.name === `${PREFIX}first`)!.id;
    await other.setVisibleContainers('viewer-of-the-test-0001', [shown.id]);
    events.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const ticks = events.filter((e) => e.type === 'stats').map((e) => (e.type === 'stats' ? e.stats.map((s) => s.id) : []));
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    // A tick samples the shown container always; the unshown one in one tick out of ten (a tick with nothing due sends nothing).
    expect(ticks.every((ids) => ids.includes(shown.id))).toBe(true);
    const unshown = ticks.filter((ids) => ids.includes(firstId)).length;
    expect(unshown).toBeLessThanOrEqual(Math.ceil(ticks.length / 10) + 1);
    expect((await other.getStatsHistory(firstId)).length).toBeGreaterThan(0); // kept, not forgotten
    // Another viewer's list is added to this one's: both containers every interval.
    await other.setVisibleContainers('viewer-of-the-test-0002', [firstId]);
    events.length = 0;
    await waitFor(events, (e) => e.type === 'stats' && e.stats.some((s) => s.id === firstId) && e.stats.some((s) => s.id === shown.id));
  });
});
