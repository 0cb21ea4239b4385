// dockerd killed with -9 and restarted under a running `isolens serve` (and the desktop app's live API, the same
// object): it notices, says so, reconnects by itself and shows the same containers. A second dockerd, never the suite's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiEvent } from '../../app/api.js';
import { createLiveApi, type LiveApi } from '../../app/poller/index.js';
import { startServer, type RunningServer } from '../../app/serve/server.js';
import { withHistory } from '../../app/history/api.js';
import { HistoryError } from '../../app/history/store.js';
import type { Snapshot } from '../../app/model/schema.js';
import { ensureTestImage, removeTestContainers, startContainer, type StartedContainer } from '../harness/engine.js';
import { secondEngineUnavailable, startSecondEngine, type SecondEngine } from '../harness/second-engine.js';
import { callServe, until as untilWithin } from '../harness/until.js';

/** A minute per step: a dockerd restart on a loaded machine takes a while. */
const until = <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000) => untilWithin(what, probe, timeoutMs, 200);

const unavailable = process.env.ISOLENS_NO_ENGINE ?? secondEngineUnavailable();
if (unavailable && process.env.CI) throw new Error(`engine-crash.test.ts cannot run in CI: ${unavailable}`);

const PREFIX = 'isolens-int-crash-';

describe.skipIf(unavailable)('a dockerd killed with -9 under a running serve', () => {
  let engine: SecondEngine;
  let api: LiveApi;
  let server: RunningServer;
  let containers: StartedContainer[];
  const events: ApiEvent[] = [];

  const post = <T>(method: string): Promise<T> => callServe<T>(server, method);
  const ids = (snapshot: Snapshot | null) => new Set((snapshot?.containers ?? []).filter((c) => c.name.startsWith(PREFIX)).map((c) => c.id));

  beforeAll(async () => {
    engine = await startSecondEngine();
    await ensureTestImage(engine.client);
    containers = [await startContainer(`${PREFIX}a`, {}, engine.client), await startContainer(`${PREFIX}b`, { HostConfig: { CapDrop: ['ALL'] } }, engine.client)];
    api = await createLiveApi({ host: engine.host });
    api.subscribe((event) => events.push(event));
    const staticDir = mkdtempSync(join(tmpdir(), 'isolens-crash-ui-'));
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    // As `isolens serve --no-history` builds it: the live API with the history side off.
    server = await startServer({ api: withHistory(api, { store: new HistoryError('history is off in this test', '') }), staticDir });
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await api?.close();
    if (engine) {
      await removeTestContainers(engine.client, PREFIX).catch(() => undefined);
      await engine.destroy();
    }
  }, 120_000);

  it('reconnects by itself and shows the same containers, in the live API and over serve', { timeout: 180_000 }, async () => {
    const before = await until('both containers in the snapshot', async () => {
      const snapshot = await post<Snapshot | null>('getSnapshot');
      return ids(snapshot).size === 2 ? snapshot : null;
    });
    expect(ids(before)).toEqual(new Set(containers.map((c) => c.id)));

    const oldPid = engine.pid();
    await engine.kill9();
    const down = await until('the engine reported unreachable', async () => {
      const state = await post<{ status: string; error?: string }>('getEngineState');
      return state.status === 'unreachable' ? state : null;
    });
    expect(down.error).toMatch(/isolens-fault-/);
    // The last snapshot is kept while the engine is away: the UI keeps showing what it knew.
    expect(ids(await post<Snapshot | null>('getSnapshot'))).toEqual(ids(before));

    await engine.restart();
    expect(engine.pid()).not.toBe(oldPid);
    await until('the engine reported connected again', async () => (await post<{ status: string }>('getEngineState')).status === 'connected');
    const after = await until('both containers back in the snapshot', async () => {
      const snapshot = await post<Snapshot | null>('getSnapshot');
      return ids(snapshot).size === 2 ? snapshot : null;
    });
    expect(ids(after)).toEqual(ids(before));
    // Same containers, still running (live-restore), with their facts read again, not a stale copy.
    for (const container of after.containers.filter((c) => c.name.startsWith(PREFIX))) expect(container.grade).not.toBeNull();
    expect(after.generatedAt > before.generatedAt).toBe(true);

    // Subscribers saw the engine go and come back, in that order.
    const states = events.flatMap((event) => (event.type === 'engine' ? [event.state.status] : []));
    const lost = states.indexOf('unreachable');
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(states.slice(lost)).toContain('connected');

    // And the new engine really is a new process holding the same containers.
    const listed = await engine.client.listContainers({ filters: { name: [PREFIX] } });
    expect(new Set(listed.map((c) => c.Id))).toEqual(ids(before));
  });
});
