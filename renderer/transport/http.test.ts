// The HTTP transport against the real `isolens serve` server (with an in-memory API): calls, errors, shared events socket, loss and recovery.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiEvent, IsolensApi } from '../../app/api.js';
import type { EngineState } from '../../app/model/live.js';
import { startServer, type RunningServer } from '../../app/serve/server.js';
import { createHttpApi, LOST_CONNECTION, requestSnapshot, type EventSocket } from './http.js';
import { apiDouble } from '../../e2e/harness/api-double.js';
import type { Snapshot } from '../../app/model/schema.js';
import { PACKING, PACKING_HEADER } from '../../app/model/packed-snapshot.js';

const CONTAINER_ID = 'abcdef0123456789';

function memoryApi() {
  const listeners = new Set<(event: ApiEvent) => void>();
  const engine: EngineState = { status: 'connected', endpoint: 'unix:///var/run/docker.sock', error: null, sinceMs: 1_700_000_000_000, nextRetryMs: null };
  const api: IsolensApi = {
    ...apiDouble(),
    getSnapshot: async () => null,
    getInspect: async (id) => {
      if (id !== CONTAINER_ID) throw new Error(`No such container: ${id}`);
      return { Id: id };
    },
    getStatsHistory: async () => [],
    setVisibleContainers: async () => undefined,
    getEngineState: async () => engine,
    retryEngine: async () => undefined,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { api, listeners, engine, emit: (event: ApiEvent) => listeners.forEach((listener) => listener(event)) };
}

let staticDir: string;
let memory: ReturnType<typeof memoryApi>;
let server: RunningServer;
let sockets: WebSocket[];

beforeEach(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'isolens-transport-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
  memory = memoryApi();
  server = await startServer({ api: memory.api, staticDir });
  sockets = [];
});

afterEach(async () => {
  sockets.forEach((socket) => socket.terminate());
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
});

/** The browser sends the cookie by itself; in Node the test adds the token as a bearer header instead. */
function transport(token = server.token) {
  const origin = `http://127.0.0.1:${server.port}`;
  return createHttpApi({
    origin,
    fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${token}` } }),
    openSocket: (url) => {
      const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}`, Origin: origin } });
      sockets.push(socket);
      return socket as unknown as EventSocket;
    },
    reconnectDelaysMs: [20, 40],
  });
}

function collect(api: IsolensApi): { events: ApiEvent[]; unsubscribe: () => void } {
  const events: ApiEvent[] = [];
  return { events, unsubscribe: api.subscribe((event) => events.push(event)) };
}

describe('createHttpApi', () => {
  it('calls the API and returns its results', async () => {
    const api = transport();
    expect(await api.getEngineState()).toEqual(memory.engine);
    expect(await api.getInspect(CONTAINER_ID)).toEqual({ Id: CONTAINER_ID });
    expect(await api.getSnapshot()).toBeNull();
    await expect(api.retryEngine()).resolves.toBeUndefined();
  });

  it('fetches the snapshot packed and hands it back plain; other HTTP clients get it plain', async () => {
    // A real scan of three containers, ten times over (what the pool saves grows with the copies).
    const scan = JSON.parse(readFileSync(new URL('../../app/report/fixtures/nonroot-scan.json', import.meta.url), 'utf8')) as Snapshot;
    const snapshot: Snapshot = { ...scan, containers: Array.from({ length: 10 }, (_, copy) => scan.containers.map((c) => ({ ...c, id: `${copy}${c.id.slice(1)}`, name: `${c.name}-${copy}` }))).flat() };
    memory.api.getSnapshot = async () => snapshot;
    const sizes: Record<string, number> = {};
    const api = createHttpApi({
      origin: `http://127.0.0.1:${server.port}`,
      fetch: async (input, init) => {
        const headers = init?.headers as Record<string, string>;
        const response = await fetch(input, { ...init, headers: { ...headers, Authorization: `Bearer ${server.token}` } });
        const text = await response.clone().text();
        sizes[headers[PACKING_HEADER] ?? 'plain'] = text.length;
        return response;
      },
    });
    expect(await api.getSnapshot()).toEqual(snapshot);
    const plain = await fetch(`http://127.0.0.1:${server.port}/api/getSnapshot`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: '{"args":[]}' });
    const text = await plain.text();
    expect((JSON.parse(text) as { result: Snapshot }).result).toEqual(snapshot);
    expect(sizes[PACKING]).toBeLessThan(text.length / 2);
  });

  it('answers the first getSnapshot with the request sent before the app started (requestSnapshot), and asks afresh after', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    let asked = 0;
    memory.api.getSnapshot = async () => ({ generatedAt: `t${++asked}`, containers: [] }) as unknown as Snapshot;
    const withToken: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${server.token}` } });
    const early = requestSnapshot(withToken, origin);
    await expect(early.then((response) => response.clone().json())).resolves.toMatchObject({ result: { packing: PACKING, generatedAt: 't1' } });
    const api = createHttpApi({ origin, fetch: withToken, firstSnapshot: early });
    expect((await api.getSnapshot())?.generatedAt).toBe('t1');
    expect(asked).toBe(1);
    expect((await api.getSnapshot())?.generatedAt).toBe('t2');
    // A first request that never reached serve is reported as any call's would be.
    const lost = createHttpApi({ origin, fetch: withToken, firstSnapshot: Promise.reject(new TypeError('fetch failed')) });
    await expect(lost.getSnapshot()).rejects.toThrow(LOST_CONNECTION);
  });

  it('rejects with the server message for invalid arguments and for API errors', async () => {
    const api = transport();
    await expect(api.getInspect('../../etc')).rejects.toThrow(/container id/);
    await expect(api.getInspect('0123456789ab')).rejects.toThrow('No such container: 0123456789ab');
  });

  it('says how to get in when the token is refused', async () => {
    await expect(transport('wrongwrongwrongwrong').getSnapshot()).rejects.toThrow(/Not authorized/);
  });

  it('fans events from one shared socket out to every listener, and closes it with the last one', async () => {
    const api = transport();
    const first = collect(api);
    const second = collect(api);
    await expect.poll(() => memory.listeners.size).toBe(1);
    const event: ApiEvent = { type: 'stats', stats: [] };
    memory.emit(event);
    await expect.poll(() => second.events.length).toBe(1);
    expect(first.events).toEqual([event]);
    first.unsubscribe();
    memory.emit(event);
    await expect.poll(() => second.events.length).toBe(2);
    expect(first.events).toHaveLength(1);
    second.unsubscribe();
    await expect.poll(() => memory.listeners.size).toBe(0);
  });

  it('reports the lost serve process as an unreachable engine, then reconnects and resyncs', async () => {
    const api = transport();
    const { events, unsubscribe } = collect(api);
    await expect.poll(() => memory.listeners.size).toBe(1);
    const { port, token } = server;
    await server.close();

    await expect.poll(() => events.find((event) => event.type === 'engine')).toBeDefined();
    const lost = events.find((event) => event.type === 'engine')!;
    expect(lost.type === 'engine' && lost.state).toMatchObject({ status: 'unreachable', error: LOST_CONNECTION });
    await expect(api.getSnapshot()).rejects.toThrow(LOST_CONNECTION);

    server = await startServer({ api: memory.api, staticDir, port, token });
    await expect.poll(() => events.at(-1)).toEqual({ type: 'engine', state: memory.engine });
    memory.emit({ type: 'stats', stats: [] });
    await expect.poll(() => events.at(-1)).toEqual({ type: 'stats', stats: [] });
    unsubscribe();
  });
});
