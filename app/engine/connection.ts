// One connection to an engine: its read-only JSON GETs (list, inspect, version, info, networks) over node:http on the
// unix socket, tcp or TLS, and the dockerode client for everything else (events, exec, attach, images, owned
// containers, ssh://), loaded only when first asked for. A one-shot scan makes a few dozen GETs and nothing else:
// through dockerode and docker-modem they cost a bundle chunk of ~360 kB to load and evaluate and a callback chain per
// request, about half of `isolens scan --json`'s time after the engine's own.
import type Dockerode from 'dockerode';
import http, { type Agent as HttpAgent, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import {
  DEFAULT_TIMEOUT_MS,
  engineAddress,
  tlsAgent,
  toEngineUnreachableError,
  type ClientOptions,
  type EngineUnreachableError,
} from './connect.js';
import type { ResolvedEndpoint } from './endpoint.js';

/** One GET: the path, its query, and the reasons docker-modem gives the non-200 answers the endpoint documents. */
export interface EngineGet {
  path: string;
  query?: Record<string, string>;
  /** e.g. { 404: 'no such container', 500: 'server error' }: the words of the error an answer other than 200 becomes. */
  reasons?: Record<number, string>;
}

export interface EngineConnection {
  readonly resolved: ResolvedEndpoint;
  readonly timeoutMs: number;
  /**
   * The answer to a GET, as docker-modem gives it: the parsed JSON, or the body's bytes when it is not JSON. An answer
   * other than 200 rejects with an Error carrying statusCode and json (the parsed body), a failure to connect or a
   * timeout with the socket's error (ENOENT, ECONNREFUSED, ECONNRESET …), so the same mapping gives the same messages.
   */
  get(request: EngineGet): Promise<unknown>;
  /** toEngineUnreachableError with everything the connection knows (endpoint, timeout, ssh host key verdict). */
  unreachable(error: unknown): EngineUnreachableError | null;
  /** The dockerode client over the same endpoint, created (and its modules loaded) on first call. */
  dockerode(): Promise<Dockerode>;
}

/** An engine error in docker-modem's shape: what toEngineUnreachableError and the 404 checks read. */
export function httpStatusError(status: number, json: unknown, reasons: Record<number, string> = {}): Error & { statusCode: number; json: unknown; reason?: string } {
  const reason = reasons[status];
  const cause = json as { message?: unknown; error?: unknown } | null;
  const error = new Error(`(HTTP code ${status}) ${reason ?? 'unexpected'} - ${String(cause?.message || cause?.error || cause)} `);
  return Object.assign(error, { reason, statusCode: status, json });
}

/** A body as docker-modem reads it: JSON when it parses to something truthy, else its bytes. */
function bodyValue(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString()) || buffer;
  } catch {
    return buffer;
  }
}

function pathWithQuery(request: EngineGet): string {
  const query = request.query ? new URLSearchParams(request.query).toString() : '';
  return query ? `${request.path}?${query}` : request.path;
}

interface HttpTarget {
  /** node:http or node:https. */
  request: (options: RequestOptions, onResponse: (response: IncomingMessage) => void) => ClientRequest;
  options: RequestOptions;
}

/** The GETs over node:http (unix socket, npipe, plain tcp) or node:https (TLS), with one keep-alive agent. */
class HttpConnection implements EngineConnection {
  readonly timeoutMs: number;
  private readonly target: HttpTarget;
  private client: Promise<Dockerode> | undefined;

  constructor(
    readonly resolved: ResolvedEndpoint,
    private readonly options: ClientOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.target = httpTarget(resolved);
  }

  get(request: EngineGet): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, value?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value);
      };
      const outgoing = this.target.request({ ...this.target.options, method: 'GET', path: pathWithQuery(request) }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          timer.refresh();
        });
        response.on('error', (error) => finish(error));
        response.on('end', () => {
          const value = bodyValue(Buffer.concat(chunks));
          finish(response.statusCode === 200 ? null : httpStatusError(response.statusCode ?? 0, value, request.reasons), value);
        });
      });
      // As docker-modem: no answer within the timeout (or an answer that stops for as long) destroys the request, which
      // fails with ECONNRESET ("socket hang up"), the message toEngineUnreachableError words as "did not answer within N
      // s". One timer, restarted by each chunk of the answer: a socket timeout (req.setTimeout) re-arms an unref'd timer
      // on every read and write of every socket, which a profile of a scan showed.
      const timer = setTimeout(() => outgoing.destroy(), this.timeoutMs);
      outgoing.on('error', (error) => finish(error));
      outgoing.end();
    });
  }

  unreachable(error: unknown): EngineUnreachableError | null {
    return toEngineUnreachableError(error, this.resolved, this.timeoutMs);
  }

  dockerode(): Promise<Dockerode> {
    return (this.client ??= import('./dockerode-client.js').then(({ createClient }) => createClient(this.resolved, this.options)));
  }
}

function httpTarget(resolved: ResolvedEndpoint): HttpTarget {
  const address = engineAddress(resolved);
  if (address.transport === 'https') {
    const https = process.getBuiltinModule('node:https') as typeof import('node:https');
    return { request: https.request, options: { host: address.host, port: address.port, agent: tlsAgent(resolved) } };
  }
  // An agent of our own keeps the few sockets a scan opens alive between its requests. servername '' because node's
  // agent otherwise works one out for TLS's SNI on every request, plain HTTP included, and its first isIP() check of
  // "localhost" compiles node's IPv6 expression (~4 ms at start); plain HTTP sends no server name.
  const agent: HttpAgent = new http.Agent({ keepAlive: true });
  const noServerName = { servername: '' } as RequestOptions;
  if (address.transport === 'socket') return { request: http.request, options: { socketPath: address.socketPath, agent, ...noServerName } };
  if (address.transport === 'http') return { request: http.request, options: { host: address.host, port: address.port, agent, ...noServerName } };
  throw new Error(`${resolved.endpoint}: ssh:// is dialled through dockerode`);
}

/** ssh:// goes through dockerode's ssh transport (docker system dial-stdio), which loads when the first GET is made. */
class DockerodeBackedConnection implements EngineConnection {
  readonly timeoutMs: number;
  private loading: Promise<EngineConnection> | undefined;
  private loaded: EngineConnection | undefined;

  constructor(
    readonly resolved: ResolvedEndpoint,
    private readonly options: ClientOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private load(): Promise<EngineConnection> {
    return (this.loading ??= import('./dockerode-client.js').then(({ createClient, dockerodeConnection }) => {
      this.loaded = dockerodeConnection(createClient(this.resolved, this.options));
      return this.loaded;
    }));
  }

  async get(request: EngineGet): Promise<unknown> {
    return (await this.load()).get(request);
  }

  unreachable(error: unknown): EngineUnreachableError | null {
    return this.loaded ? this.loaded.unreachable(error) : toEngineUnreachableError(error, this.resolved, this.timeoutMs);
  }

  async dockerode(): Promise<Dockerode> {
    return (await this.load()).dockerode();
  }
}

/**
 * A connection to the endpoint. Throws EngineUnreachableError (synchronously) for unusable settings: an unreadable TLS
 * file, an ssh:// address with a socket path, an unsupported scheme.
 */
export function openConnection(resolved: ResolvedEndpoint, options: ClientOptions = {}): EngineConnection {
  return engineAddress(resolved).transport === 'ssh' ? new DockerodeBackedConnection(resolved, options) : new HttpConnection(resolved, options);
}
