// The serve host's guards: token on every request, loopback only, Host and Origin checks, validated API calls, static files confined to their folder.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiEvent, IsolensApi } from '../api.js';
import type { EngineState } from '../model/live.js';
import { CONTENT_SECURITY_POLICY } from './security.js';
import { startServer, type RunningServer } from './server.js';
import { apiDouble } from '../../e2e/harness/api-double.js';

const CONTAINER_ID = 'abcdef0123456789';
const INDEX_HTML = '<!doctype html><title>Isolens</title><div id="root"></div>';
const OUTSIDE_SECRET = 'outside-the-static-dir';

/** Our own API, held in memory: events are pushed by calling emit(). */
function memoryApi() {
  const listeners = new Set<(event: ApiEvent) => void>();
  const engine: EngineState = { status: 'connected', endpoint: 'unix:///var/run/docker.sock', error: null, sinceMs: 1_700_000_000_000, nextRetryMs: null };
  const calls: string[] = [];
  const api: IsolensApi = {
    ...apiDouble(),
    async getSnapshot() {
      calls.push('getSnapshot');
      return null;
    },
    async getInspect(id) {
      calls.push(`getInspect:${id}`);
      if (id !== CONTAINER_ID) throw new Error(`No such container: ${id}`);
      return { Id: id, Name: '/web' };
    },
    async getStatsHistory() {
      return [];
    },
    async setVisibleContainers(viewerId, ids) {
      calls.push(`setVisibleContainers:${viewerId}:${ids.length}`);
    },
    async getEngineState() {
      return engine;
    },
    async retryEngine() {
      calls.push('retryEngine');
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // The lab calls are served like any other method; the router is what these tests exercise.
    async diffContainers(a, b) {
      calls.push(`diffContainers:${a}:${b}`);
      throw new Error('not in this test');
    },
    async generateFix(id) {
      calls.push(`generateFix:${id}`);
      throw new Error('not in this test');
    },
    async generateComposeOverride(id) {
      calls.push(`generateComposeOverride:${id}`);
      throw new Error('not in this test');
    },
    async exportReport(request) {
      calls.push(`exportReport:${request.format}`);
      throw new Error('not in this test');
    },
    async listLabImages() {
      return ['busybox:latest'];
    },
    async listProbes() {
      return [];
    },
    async runLab(options) {
      calls.push(`runLab:${options.image}`);
      return { ok: false, reason: 'not in this test' };
    },
    async closeLab() {
      return 0;
    },
    async runProbe(id, probeId) {
      calls.push(`runProbe:${id}:${probeId}`);
      return { refused: true, probeId, reason: 'not in this test' };
    },
  };
  return { api, listeners, calls, engine, emit: (event: ApiEvent) => listeners.forEach((listener) => listener(event)) };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http rather than fetch: it sends the raw path and lets a test set Host. */
function send(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: { Host: `127.0.0.1:${port}`, ...options.headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

let base: string;
let staticDir: string;
let memory: ReturnType<typeof memoryApi>;
let server: RunningServer;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'isolens-serve-'));
  staticDir = join(base, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), INDEX_HTML);
  writeFileSync(join(staticDir, 'assets', 'index-abc.js'), 'console.log("isolens")');
  writeFileSync(join(staticDir, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(base, 'secret.txt'), OUTSIDE_SECRET);
  symlinkSync(join(base, 'secret.txt'), join(staticDir, 'link.txt'));
  memory = memoryApi();
  server = await startServer({ api: memory.api, staticDir });
});

afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

const bearer = () => ({ Authorization: `Bearer ${server.token}` });
const call = (method: string, args: unknown[], headers: Record<string, string> = {}) =>
  send(server.port, { method: 'POST', path: `/api/${method}`, headers: { ...bearer(), 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ args }) });

describe('startServer', () => {
  it('prints a loopback URL with a fresh 32-byte token', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
    const other = await startServer({ api: memory.api, staticDir });
    expect(other.token).not.toBe(server.token);
    await other.close();
  });

  it.each(['0.0.0.0', '::', 'localhost', '192.168.1.10'])('refuses to listen on %s', async (host) => {
    await expect(startServer({ api: memory.api, staticDir, host })).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('refuses a guessable token', async () => {
    await expect(startServer({ api: memory.api, staticDir, token: 'short' })).rejects.toThrow(/token/);
  });
});

describe('token', () => {
  it('refuses a request without a token, leaking no static content', async () => {
    const reply = await send(server.port, { path: '/' });
    expect(reply.status).toBe(401);
    expect(reply.body).not.toContain('root');
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    const asset = await send(server.port, { path: '/assets/index-abc.js' });
    expect(asset.status).toBe(401);
    expect(asset.body).not.toContain('console.log');
  });

  it('refuses a wrong bearer token and a wrong cookie', async () => {
    expect((await send(server.port, { headers: { Authorization: `Bearer ${'x'.repeat(43)}` } })).status).toBe(401);
    expect((await send(server.port, { headers: { Authorization: `Bearer ${server.token}x` } })).status).toBe(401);
    expect((await send(server.port, { headers: { Cookie: `isolens_token_${server.port}=nope` } })).status).toBe(401);
    expect((await call('getEngineState', [], { Authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('serves index.html and assets with a valid bearer token', async () => {
    const index = await send(server.port, { headers: bearer() });
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX_HTML);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const script = await send(server.port, { path: '/assets/index-abc.js', headers: bearer() });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const style = await send(server.port, { path: '/assets/index-abc.css', headers: bearer() });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await send(server.port, { path: '/missing.js', headers: bearer() })).status).toBe(404);
  });

  it('asks for the snapshot as it serves the page (to pack it before the page asks), not for its other files', async () => {
    const asked = () => memory.calls.filter((call) => call === 'getSnapshot').length;
    const before = asked();
    await send(server.port, { path: '/assets/index-abc.js', headers: bearer() });
    await new Promise((done) => setImmediate(done));
    expect(asked()).toBe(before);
    expect((await send(server.port, { headers: bearer() })).status).toBe(200);
    await new Promise((done) => setImmediate(done));
    expect(asked()).toBe(before + 1);
  });

  it('trades /?token= for an HttpOnly SameSite=Strict cookie and a redirect to /, and the cookie then works', async () => {
    const reply = await send(server.port, { path: `/?token=${server.token}` });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    const cookie = reply.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^isolens_token_${server.port}=${server.token};`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    const pair = cookie.split(';')[0]!;
    const index = await send(server.port, { headers: { Cookie: pair } });
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX_HTML);
    const api = await call('getEngineState', [], { Authorization: '', Cookie: pair });
    expect(api.status).toBe(200);
  });

  it('sets no cookie for a wrong ?token=', async () => {
    const reply = await send(server.port, { path: '/?token=wrongwrongwrongwrong' });
    expect(reply.status).toBe(401);
    expect(reply.headers['set-cookie']).toBeUndefined();
  });
});

describe('request guards', () => {
  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const reply = await send(server.port, { headers: { ...bearer(), Host: `evil.example:${server.port}` } });
    expect(reply.status).toBe(421);
    expect(reply.body).not.toContain('root');
    expect((await send(server.port, { headers: { ...bearer(), Host: '127.0.0.1:1' } })).status).toBe(421);
    expect((await send(server.port, { headers: { ...bearer(), Host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('sends the security headers on every response, refusals included', async () => {
    for (const reply of [await send(server.port, {}), await send(server.port, { headers: bearer() }), await call('getEngineState', [])]) {
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    }
    expect((await call('getEngineState', [])).headers['cache-control']).toBe('no-store');
  });

  it('is read-only: only GET for files and POST for the API', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      expect((await send(server.port, { method, path: '/', headers: bearer() })).status).toBe(405);
    }
    const get = await send(server.port, { path: '/api/getSnapshot', headers: bearer() });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('refuses path traversal, encoded or not, and symlinks out of the folder', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets%2f..%2f..%2fsecret.txt', '/link.txt', '/%00']) {
      const reply = await send(server.port, { path, headers: bearer() });
      expect(reply.status, path).toBeGreaterThanOrEqual(400);
      expect(reply.body, path).not.toContain(OUTSIDE_SECRET);
    }
  });
});

describe('API', () => {
  it('answers a method with {result}', async () => {
    const reply = await call('getEngineState', []);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ result: memory.engine });
    expect(JSON.parse((await call('getInspect', [CONTAINER_ID])).body)).toEqual({ result: { Id: CONTAINER_ID, Name: '/web' } });
    expect(JSON.parse((await call('retryEngine', [])).body)).toEqual({ result: null });
  });

  it('answers 404 for a method not in API_METHODS, subscribe and prototype names included', async () => {
    for (const name of ['deleteContainer', 'subscribe', 'constructor', '__proto__', 'toString']) {
      expect((await call(name, [])).status, name).toBe(404);
    }
  });

  it('answers 400 with the validation message for invalid arguments, without calling the API', async () => {
    const before = memory.calls.length;
    const reply = await call('getInspect', ['../../etc']);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toMatch(/container id/);
    expect((await call('getInspect', [])).status).toBe(400);
    expect((await call('getSnapshot', ['extra'])).status).toBe(400);
    expect(memory.calls.length).toBe(before);
  });

  it('setVisibleContainers takes a viewer id and at most 512 full container ids, refusing anything else unheard', async () => {
    const viewer = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const full = (i: number) => i.toString(16).padStart(64, 'a');
    expect((await call('setVisibleContainers', [viewer, [full(1), full(2)]])).status).toBe(200);
    expect((await call('setVisibleContainers', [viewer, Array.from({ length: 512 }, (_, i) => full(i))])).status).toBe(200);
    expect(memory.calls.slice(-2)).toEqual([`setVisibleContainers:${viewer}:2`, `setVisibleContainers:${viewer}:512`]);
    const before = memory.calls.length;
    const refused = [
      [viewer, Array.from({ length: 513 }, (_, i) => full(i))], // more than any screen shows
      [viewer, [CONTAINER_ID.slice(0, 12)]], // a prefix would match more than is shown
      [viewer, ['<script>'.padEnd(64, 'a')]],
      ['short', [full(1)]],
      ['../../etc/passwd-and-more-text', [full(1)]],
      [viewer, full(1)],
      [viewer],
    ];
    for (const args of refused) expect((await call('setVisibleContainers', args)).status, JSON.stringify(args).slice(0, 80)).toBe(400);
    expect(memory.calls.length).toBe(before);
  });

  it('answers 400 for a body that is not {args: [...]}', async () => {
    const headers = { ...bearer(), 'Content-Type': 'application/json' };
    expect((await send(server.port, { method: 'POST', path: '/api/getSnapshot', headers, body: '{' })).status).toBe(400);
    expect((await send(server.port, { method: 'POST', path: '/api/getSnapshot', headers, body: '{"args": "x"}' })).status).toBe(400);
  });

  it('answers 500 with the message only when the API throws', async () => {
    const reply = await call('getInspect', ['0123456789ab']);
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toEqual({ error: 'No such container: 0123456789ab' });
  });

  it('requires application/json and caps the body size', async () => {
    const form = await send(server.port, { method: 'POST', path: '/api/getSnapshot', headers: { ...bearer(), 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'args=1' });
    expect(form.status).toBe(415);
    const big = await call('getInspect', ['a'.repeat(70 * 1024)]);
    expect(big.status).toBe(413);
    // Without a Content-Length (chunked), the cap applies while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/getSnapshot', headers: { ...bearer(), Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
        (response) => resolve(response.statusCode ?? 0),
      );
      request.on('error', reject);
      for (let index = 0; index < 80; index++) request.write('x'.repeat(1024));
      request.end();
    });
    expect(chunked).toBe(413);
  });

  it('refuses a POST from a foreign Origin', async () => {
    expect((await call('getEngineState', [], { Origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await call('getEngineState', [], { Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });
});

describe('events WebSocket', () => {
  const open: WebSocket[] = [];
  afterEach(() => open.splice(0).forEach((socket) => socket.terminate()));

  /** The handshake's outcome: 'open', or the HTTP status that refused it. */
  function connect(headers: Record<string, string>): Promise<{ outcome: 'open' | number; socket: WebSocket }> {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, { headers });
    open.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve({ outcome: 'open', socket }));
      socket.once('unexpected-response', (_request, response) => resolve({ outcome: response.statusCode ?? 0, socket }));
      socket.once('error', reject);
    });
  }
  const ownOrigin = () => `http://127.0.0.1:${server.port}`;
  const cookie = () => `isolens_token_${server.port}=${server.token}`;

  it('refuses a handshake without the token', async () => {
    expect((await connect({ Origin: ownOrigin() })).outcome).toBe(401);
    expect((await connect({ Origin: ownOrigin(), Cookie: `isolens_token_${server.port}=wrongwrongwrongwrong` })).outcome).toBe(401);
  });

  it('refuses a foreign or missing Origin with the cookie (cross-site WebSocket hijacking)', async () => {
    expect((await connect({ Origin: 'http://127.0.0.1:8080', Cookie: cookie() })).outcome).toBe(403);
    expect((await connect({ Origin: 'http://evil.example', Cookie: cookie() })).outcome).toBe(403);
    expect((await connect({ Cookie: cookie() })).outcome).toBe(403);
  });

  it('refuses a foreign Host', async () => {
    expect((await connect({ Origin: ownOrigin(), Cookie: cookie(), Host: `evil.example:${server.port}` })).outcome).toBe(421);
  });

  it('streams pushed events to a client with the cookie, and unsubscribes when it closes', async () => {
    const before = memory.listeners.size;
    const { outcome, socket } = await connect({ Origin: ownOrigin(), Cookie: cookie() });
    expect(outcome).toBe('open');
    expect(memory.listeners.size).toBe(before + 1);
    const received = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
    const event: ApiEvent = { type: 'engine', state: { ...memory.engine, status: 'unreachable', error: 'connect ENOENT /var/run/docker.sock' } };
    memory.emit(event);
    expect(await received).toEqual(event);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
    await expect.poll(() => memory.listeners.size).toBe(before);
  });

  it('accepts a bearer token without Origin (non-browser clients)', async () => {
    expect((await connect({ Authorization: `Bearer ${server.token}` })).outcome).toBe('open');
  });
});

describe('lab calls are validated at the boundary', () => {
  it('runLab refuses an image reference that is shell text, and passes a valid one', async () => {
    const { api, calls } = memoryApi();
    const staticDir = mkdtempSync(join(tmpdir(), 'isolens-static-'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
    const server = await startServer({ api, port: 0, staticDir });
    try {
      const post = (args: unknown[]) =>
        fetch(`http://127.0.0.1:${server.port}/api/runLab`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ args }),
        });
      expect((await post([{ image: 'busybox; rm -rf /' }])).status).toBe(400);
      expect((await post([{ image: 'busybox:latest', addCapabilities: ['NOT_A_CAP'] }])).status).toBe(400);
      const ok = await post([{ image: 'busybox:latest', dropAllCapabilities: true }]);
      expect(ok.status).toBe(200);
      expect(calls).toContain('runLab:busybox:latest');
      const probe = await fetch(`http://127.0.0.1:${server.port}/api/runProbe`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ args: [CONTAINER_ID, 'rm-rf-slash'] }),
      });
      expect(probe.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
