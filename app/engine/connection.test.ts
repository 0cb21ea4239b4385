// The connection's GETs over node:http against the same GETs through docker-modem, on a fake engine's every kind of
// answer: the same value, the same error (status, body, message, code), so every caller's handling stays as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnection, type EngineConnection, type EngineGet } from './connection.js';
import { createClient, dockerodeConnection } from './dockerode-client.js';
import type { ResolvedEndpoint } from './endpoint.js';

const ID = 'a'.repeat(64);
/** Path → answer; the query is echoed in the body so the test sees it arrive. */
const ANSWERS: Record<string, { status: number; body: string | null }> = {
  '/version': { status: 200, body: '{"Version":"20.10.24","ApiVersion":"1.41"}' },
  '/info': { status: 200, body: 'this is not JSON' },
  '/networks/bridge': { status: 404, body: '{"message":"network bridge not found"}' },
  [`/containers/${ID}/json`]: { status: 404, body: `{"message":"No such container: ${ID}"}` },
  '/empty-500': { status: 500, body: '' },
  '/text-500': { status: 500, body: 'storage driver failed\n' },
  '/json-false': { status: 200, body: 'false' },
  '/teapot': { status: 418, body: '{"error":"short and stout"}' },
  '/unicode': { status: 200, body: '{"Name":"/ünïcødé-\\u0000-\\n"}' },
  '/containers/json': { status: 200, body: `[{"Id":"${ID}","Names":["/one"]}]` },
};

type Outcome = { value: unknown } | { error: { message: string; statusCode: unknown; json: unknown; code: unknown; unreachable: string | null } };

async function outcome(connection: EngineConnection, request: EngineGet): Promise<Outcome> {
  try {
    const value = await connection.get(request);
    return { value: Buffer.isBuffer(value) ? `buffer:${value.toString('hex')}` : value };
  } catch (caught) {
    const error = caught as Error & { statusCode?: unknown; json?: unknown; code?: unknown };
    const json = Buffer.isBuffer(error.json) ? `buffer:${error.json.toString('hex')}` : error.json;
    // And the one line a user would read for it (null: not a reachability failure, e.g. a 404 the caller handles).
    const unreachable = connection.unreachable(error)?.message ?? null;
    return { error: { message: error.message, statusCode: error.statusCode, json, code: error.code, unreachable } };
  }
}

describe('EngineConnection GETs over node:http', () => {
  let dir: string;
  let server: http.Server;
  let silent: net.Server;
  const held: net.Socket[] = [];
  const seen: string[] = [];
  const unix = (path: string): ResolvedEndpoint => ({ endpoint: `unix://${path}`, source: '--host', tls: null, contextName: null });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eng-connection-'));
    server = http.createServer((request, response) => {
      seen.push(request.url ?? '');
      const answer = ANSWERS[(request.url ?? '').split('?')[0]!] ?? { status: 404, body: '{"message":"page not found"}' };
      response.writeHead(answer.status, { 'Content-Type': 'application/json' });
      response.end(answer.body ?? undefined);
    });
    await new Promise<void>((resolve) => server.listen(join(dir, 'engine.sock'), resolve));
    // Accepts and never answers.
    silent = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(join(dir, 'silent.sock'), resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    held.forEach((socket) => socket.destroy());
    await new Promise((resolve) => silent.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const requests: EngineGet[] = [
    ...Object.keys(ANSWERS).map((path) => ({ path, reasons: { 404: 'no such thing', 500: 'server error' } })),
    { path: '/containers/json', query: { all: 'false' }, reasons: { 400: 'bad parameter', 500: 'server error' } },
    { path: '/nowhere' },
  ];

  it.each(requests.map((request) => [request.path, request] as const))('%s: the same answer or error as docker-modem gives', async (_path, request) => {
    const resolved = unix(join(dir, 'engine.sock'));
    const ours = await outcome(openConnection(resolved), request);
    const modem = await outcome(dockerodeConnection(createClient(resolved)), request);
    expect(ours).toEqual(modem);
  });

  it('sends the query as docker-modem does', async () => {
    seen.length = 0;
    const resolved = unix(join(dir, 'engine.sock'));
    await openConnection(resolved).get({ path: '/containers/json', query: { all: 'false' } });
    await dockerodeConnection(createClient(resolved)).get({ path: '/containers/json', query: { all: 'false' } });
    expect(seen).toEqual(['/containers/json?all=false', '/containers/json?all=false']);
  });

  it('a dead socket and a silent engine fail with the same error codes as through docker-modem', async () => {
    for (const [socket, timeoutMs] of [['gone.sock', 10_000], ['silent.sock', 200]] as const) {
      const resolved = unix(join(dir, socket));
      const ours = await outcome(openConnection(resolved, { timeoutMs }), { path: '/version' });
      const modem = await outcome(dockerodeConnection(createClient(resolved, { timeoutMs })), { path: '/version' });
      expect(ours).toEqual(modem);
      expect('error' in ours && ours.error.code).toBe(socket === 'gone.sock' ? 'ENOENT' : 'ECONNRESET');
      expect('error' in ours && ours.error.unreachable).toMatch(socket === 'gone.sock' ? /^no engine socket at / : /did not answer within 0\.2 s/);
    }
  });
});
