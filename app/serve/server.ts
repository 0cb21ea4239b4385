// `isolens serve`: the IsolensApi over HTTP (POST /api/<method>) and a WebSocket (/api/events), plus the built renderer, on 127.0.0.1 behind a token.
import { createReadStream } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { resolve } from 'node:path';
import * as z from 'zod';
import { WebSocketServer, WebSocket } from 'ws';
import { EngineUnreachableError } from '../engine/connect.js';
import { API_ARGUMENTS, API_METHODS, type ApiEvent, type ApiMethod, type IsolensApi } from '../api.js';
import {
  SECURITY_HEADERS,
  bearerToken,
  cookieValue,
  isAllowedHost,
  isValidTokenShape,
  newToken,
  tokenCookie,
  tokenCookieName,
  tokensEqual,
} from './security.js';
import { contentTypeOf, findStaticFile } from './static.js';
import { PACKING_HEADER, PACKING, packSnapshot } from '../model/packed-snapshot.js';
import type { Snapshot } from '../model/schema.js';

export interface ServerOptions {
  api: IsolensApi;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Only 127.0.0.1 is accepted: the server is never reachable from another machine. */
  host?: string;
  /** A fixed token (16 to 256 base64url characters); a fresh random one by default. */
  token?: string;
  /** The built renderer (dist/renderer). */
  staticDir: string;
}

export interface RunningServer {
  /** Ready to open: http://127.0.0.1:PORT/?token=… */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const MAX_BODY_BYTES = 64 * 1024;
/** A browser answers pings by itself; a peer that misses one full interval is gone and is dropped. */
const PING_INTERVAL_MS = 15_000;
/** A client this far behind (a stalled tab) is dropped rather than buffered without bound; it reconnects and resyncs. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const UNAUTHORIZED_TEXT = 'Unauthorized: open the address `isolens serve` printed; it carries the access token.\n';

const RequestBody = z.object({ args: z.array(z.unknown()) });

type Refusal = { status: number; message: string };
type Authentication = 'bearer' | 'cookie' | null;

function isApiMethod(name: string): name is ApiMethod {
  return (API_METHODS as readonly string[]).includes(name);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (options.host !== undefined && options.host !== LOOPBACK) {
    throw new Error(`isolens serve listens on ${LOOPBACK} only; refusing host ${JSON.stringify(options.host)} (use an SSH tunnel to reach it remotely)`);
  }
  const token = options.token ?? newToken();
  if (!isValidTokenShape(token)) throw new Error('the serve token must be 16 to 256 base64url characters (A-Z a-z 0-9 _ -)');
  const { api } = options;
  const staticDir = resolve(options.staticDir);
  let port = 0;

  function authentication(request: IncomingMessage): Authentication {
    if (tokensEqual(bearerToken(request.headers.authorization), token)) return 'bearer';
    if (tokensEqual(cookieValue(request.headers.cookie, tokenCookieName(port)), token)) return 'cookie';
    return null;
  }

  /**
   * Cross-site WebSocket hijacking defence. SameSite ignores ports, so a page served by anything else on localhost is
   * "same-site" and its handshake carries our cookie; browsers always send Origin on a handshake, and it must be ours.
   */
  function originRefusal(request: IncomingMessage, how: Authentication): Refusal | null {
    const origin = request.headers.origin;
    if (origin === undefined) return how === 'bearer' ? null : { status: 403, message: 'Forbidden: missing Origin\n' };
    return origin === `http://${request.headers.host}` ? null : { status: 403, message: 'Forbidden: foreign Origin\n' };
  }

  function send(response: ServerResponse, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void {
    response.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      ...extra,
    });
    response.end(body);
  }
  /**
   * The packed snapshot's response body, made once per snapshot: a reload or a second tab while the snapshot is the same
   * gets the very text (a snapshot is never changed once made; a rebuild makes a new one).
   */
  const packedBodies = new WeakMap<Snapshot, string>();
  function packedBody(snapshot: Snapshot): string {
    let body = packedBodies.get(snapshot);
    if (body === undefined) packedBodies.set(snapshot, (body = JSON.stringify({ result: packSnapshot(snapshot) })));
    return body;
  }
  const sendText = (response: ServerResponse, status: number, text: string, extra?: Record<string, string>) =>
    send(response, status, text, 'text/plain; charset=utf-8', extra);
  const sendJson = (response: ServerResponse, status: number, value: unknown) => send(response, status, JSON.stringify(value), JSON_TYPE);

  /** The body, or 'too-large' as soon as it passes the cap; the rest is never read (the reply closes the connection). */
  function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return Promise.resolve('too-large');
    return new Promise((resolveBody, rejectBody) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        if (total <= MAX_BODY_BYTES) return void chunks.push(chunk);
        request.off('data', onData).pause();
        resolveBody('too-large');
      };
      request.on('data', onData);
      request.once('end', () => resolveBody(Buffer.concat(chunks)));
      request.once('error', rejectBody);
    });
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, name: string): Promise<void> {
    if (!isApiMethod(name)) return sendJson(response, 404, { error: `Unknown API method ${JSON.stringify(name.slice(0, 64))}` });
    if (request.method !== 'POST') return sendText(response, 405, 'Method Not Allowed\n', { Allow: 'POST' });
    // Browsers send Origin with every POST; one from another site is refused even before the token would be.
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${request.headers.host}`) return sendText(response, 403, 'Forbidden: foreign Origin\n');
    // Requiring JSON also stops HTML forms on other sites: they can only send form or text bodies without a preflight.
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') return sendJson(response, 415, { error: 'Content-Type must be application/json' });
    const body = await readBody(request);
    if (body === 'too-large') {
      // Closing the connection discards the unread rest of the body instead of reading it.
      const text = JSON.stringify({ error: `Request body over ${MAX_BODY_BYTES} bytes` });
      return send(response, 413, text, 'application/json; charset=utf-8', { Connection: 'close' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(response, 400, { error: 'Request body is not valid JSON' });
    }
    const envelope = RequestBody.safeParse(parsed);
    if (!envelope.success) return sendJson(response, 400, { error: `Request body must be {"args": [...]}: ${z.prettifyError(envelope.error)}` });
    const args = API_ARGUMENTS[name].safeParse(envelope.data.args);
    if (!args.success) return sendJson(response, 400, { error: `Invalid arguments for ${name}: ${z.prettifyError(args.error)}` });
    try {
      const method = api[name] as (...values: unknown[]) => Promise<unknown>;
      const result = await method.apply(api, args.data as unknown[]);
      // Our own UI asks for the snapshot packed (app/model/packed-snapshot.ts); any other client gets it plain.
      if (name === 'getSnapshot' && result && request.headers[PACKING_HEADER] === PACKING) return send(response, 200, packedBody(result as Snapshot), JSON_TYPE);
      sendJson(response, 200, { result: result ?? null });
    } catch (error) {
      // The engine being away is expected (503, the banner explains it); anything else is a bug (500).
      sendJson(response, error instanceof EngineUnreachableError ? 503 : 500, { error: errorMessage(error) });
    }
  }

  /**
   * Pack the current snapshot now, if it is not yet: the page asks for it some 150–300 ms after its HTML (once its
   * script has arrived), and packing 500 containers is 40–100 ms of serve's loop that then need not happen while it
   * waits. After the response is on its way (setImmediate), so the HTML itself is not held back.
   */
  function packAhead(): void {
    setImmediate(() => {
      api.getSnapshot().then(
        (snapshot) => {
          if (snapshot) packedBody(snapshot);
        },
        () => undefined, // no engine yet: the page's request will say so
      );
    });
  }

  async function handleStatic(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    if (request.method !== 'GET') return sendText(response, 405, 'Method Not Allowed\n', { Allow: 'GET' });
    if (path === '/' || path === '/index.html') packAhead();
    const found = await findStaticFile(staticDir, path);
    if (found.kind === 'bad-path') return sendText(response, 400, 'Bad path\n');
    if (found.kind === 'not-found') return sendText(response, 404, 'Not found\n');
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': contentTypeOf(found.path),
      'Content-Length': String(found.sizeBytes),
      // Everything here sits behind the token; keep none of it in shared or disk caches.
      'Cache-Control': 'no-store',
    });
    const stream = createReadStream(found.path);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isAllowedHost(request.headers.host, port)) return sendText(response, 421, 'Misdirected Request: use 127.0.0.1 or localhost\n');
    const target = request.url ?? '';
    // Origin-form only ("/path?query"); the raw path is kept so traversal attempts are refused, not silently normalised.
    if (!target.startsWith('/')) return sendText(response, 400, 'Bad request target\n');
    const queryStart = target.indexOf('?');
    const path = queryStart < 0 ? target : target.slice(0, queryStart);
    const query = new URLSearchParams(queryStart < 0 ? '' : target.slice(queryStart + 1));

    // The printed URL carries the token once: trade it for a cookie and take it out of the address bar and history.
    const offered = query.get('token');
    if (request.method === 'GET' && offered !== null) {
      if (!tokensEqual(offered, token)) return sendText(response, 401, UNAUTHORIZED_TEXT);
      query.delete('token');
      const rest = query.toString();
      return sendText(response, 303, 'See Other\n', {
        'Set-Cookie': tokenCookie(port, token),
        Location: `${path.startsWith('//') ? '/' : path}${rest ? `?${rest}` : ''}`,
      });
    }

    const how = authentication(request);
    if (!how) return sendText(response, 401, UNAUTHORIZED_TEXT, { 'WWW-Authenticate': 'Bearer realm="isolens"' });

    if (path === '/api/events') return sendText(response, 426, 'Upgrade Required: /api/events is a WebSocket\n', { Upgrade: 'websocket' });
    if (path.startsWith('/api/')) return handleApi(request, response, path.slice('/api/'.length));
    return handleStatic(request, response, path);
  }

  // ---- events over WebSocket -----------------------------------------------------------------------------------

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();
  /** Every client gets the same event object: encode it once, not once per client (stats are sent every second). */
  const encoded = new WeakMap<ApiEvent, string>();
  const encode = (event: ApiEvent): string => {
    let text = encoded.get(event);
    if (text === undefined) encoded.set(event, (text = JSON.stringify(event)));
    return text;
  };

  function upgradeRefusal(request: IncomingMessage): Refusal | null {
    if (!isAllowedHost(request.headers.host, port)) return { status: 421, message: 'Misdirected Request\n' };
    if ((request.url ?? '').split('?')[0] !== '/api/events') return { status: 404, message: 'Not found\n' };
    const how = authentication(request);
    if (!how) return { status: 401, message: UNAUTHORIZED_TEXT };
    return originRefusal(request, how);
  }

  function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
    const headers = Object.entries({ ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(refusal.message)), Connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n${headers}\r\n${refusal.message}`);
  }

  function onConnection(socket: WebSocket): void {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
    const unsubscribe = api.subscribe((event: ApiEvent) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.terminate();
        return;
      }
      socket.send(encode(event));
    });
    // Read-only: whatever a client sends is ignored (and capped by maxPayload).
    socket.on('close', unsubscribe);
    socket.on('error', () => socket.terminate());
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendText(response, 500, `Internal error: ${errorMessage(error)}\n`);
      else response.destroy();
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = upgradeRefusal(request);
    if (refusal) return refuseUpgrade(socket, refusal);
    sockets.handleUpgrade(request, socket, head, onConnection);
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  // Pack the first snapshot once while nobody waits for it: the UI's first getSnapshot then finds the packer compiled
  // (cold, packing 500 containers took ~120 ms of serve's event loop; warm, ~40) and, until the next rebuild, its answer made.
  api.getSnapshot().then(
    (snapshot) => {
      if (snapshot) packedBody(snapshot);
    },
    () => undefined, // no engine yet: the first request packs
  );

  const keepalive = setInterval(() => {
    for (const socket of sockets.clients) {
      if (!alive.get(socket)) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, PING_INTERVAL_MS);
  keepalive.unref();

  let closing: Promise<void> | null = null;
  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        clearInterval(keepalive);
        for (const socket of sockets.clients) socket.terminate();
        sockets.close();
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
