// The engine's event stream cut mid-way (a proxy in between drops the long request): the session reconnects by itself,
// keeps its containers, and sees containers that start after the cut; nothing throws, nothing waits forever.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineSession, type SessionEvent } from './session.js';
import { removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';
import { startEngineProxy, type EngineProxy } from '../../e2e/harness/socket-proxy.js';
import { until } from '../../e2e/harness/until.js';

const PREFIX = 'isolens-int-eventcut-';
const client = testClient();
let dir: string;
let proxy: EngineProxy;
let session: EngineSession;
const events: SessionEvent[] = [];

const names = () => (session.latest()?.containers ?? []).map((c) => c.name);

describe('the event stream cut mid-way', () => {
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    await startContainer(`${PREFIX}before`, {}, client);
    dir = mkdtempSync(join(tmpdir(), 'isolens-eventcut-'));
    proxy = await startEngineProxy(join(dir, 'engine.sock'));
    // Resync and refresh far away: only the event stream can bring a new container in during the test.
    session = new EngineSession({ host: `unix://${proxy.path}`, resyncIntervalMs: 600_000, refreshIntervalMs: 600_000 });
    session.subscribe((event) => events.push(event));
    await session.start();
  });

  afterAll(async () => {
    session?.close();
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await removeTestContainers(client, PREFIX);
  });

  it('reconnects, keeps the containers it had, and follows events again', async () => {
    expect(session.engineState().status).toBe('connected');
    await until('the event stream to open', () => proxy.openEventStreams() === 1);
    expect(names()).toContain(`${PREFIX}before`);
    const engineEventsBefore = events.filter((e) => e.type === 'engine').length;

    expect(proxy.cutEvents()).toBe(1);
    // The cut is noticed (an engine state change), then the session is connected again with a new stream.
    await until('the cut to be noticed', () => events.filter((e) => e.type === 'engine').length > engineEventsBefore);
    await until('the session to reconnect', () => session.engineState().status === 'connected' && proxy.openEventStreams() === 1);
    const eventsRequests = proxy.requests.filter((r) => r === 'GET /events').length;
    expect(eventsRequests).toBe(2);
    expect(names()).toContain(`${PREFIX}before`);

    // A container started after the cut arrives through the new stream (resync is 10 minutes away).
    const after = await startContainer(`${PREFIX}after`, {}, client);
    await until('the container started after the cut', () => names().includes(`${PREFIX}after`));
    await client.getContainer(after.id).stop({ t: 0 });
    await until('its stop to be seen', () => !names().includes(`${PREFIX}after`));
  });

  it('survives cuts in a row without piling up streams or listeners', async () => {
    for (let i = 0; i < 5; i++) {
      await until('an open stream', () => session.engineState().status === 'connected' && proxy.openEventStreams() === 1);
      proxy.cutEvents();
    }
    await until('the session to settle connected', () => session.engineState().status === 'connected' && proxy.openEventStreams() === 1);
    // One stream, whatever the number of cuts: every old one was closed, none leaked.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(proxy.openEventStreams()).toBe(1);
    expect(names()).toContain(`${PREFIX}before`);
  });
});
