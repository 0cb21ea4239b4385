// `isolens exporter`'s HTTP(S) listener: GET /metrics from the kept state, behind TLS and basic auth beyond loopback.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import { BasicAuth, type WebConfig } from './web-config.js';

/**
 * The default port. Exporters need a fixed one (the port is part of every series' `instance` label), and the
 * community's allocation list (github.com/prometheus/prometheus/wiki/Default-port-allocations) is full from 9100 to
 * 9999 and now grows one registration at a time past 10000, where a number picked here could be taken by the time
 * a user runs it. 7718 is outside that list altogether, so no registered exporter can collide with it, sits next to
 * `isolens serve`'s 7717, is not among the services Debian's /etc/services names, and is below Linux's ephemeral range (32768–60999)
 * and Kubernetes' NodePort range (30000–32767).
 */
export const DEFAULT_EXPORTER_PORT = 7718;
export const DEFAULT_LISTEN = `127.0.0.1:${DEFAULT_EXPORTER_PORT}`;

export class ListenError extends Error {
  override name = 'ListenError';
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** HOST:PORT, [IPv6]:PORT, or :PORT (all interfaces). */
export function parseListen(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new ListenError(`--listen ${JSON.stringify(text)}: expected HOST:PORT, [IPv6]:PORT or :PORT`);
  const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : match[2]!);
  if (match[1] !== undefined && isIP(host) !== 6) throw new ListenError(`--listen ${JSON.stringify(text)}: ${host} is not an IPv6 address`);
  if (host === 'localhost') return { host: '127.0.0.1', port };
  if (isIP(host) === 0) throw new ListenError(`--listen ${JSON.stringify(text)}: give an IP address (e.g. 127.0.0.1, 0.0.0.0, [::1]), not a name`);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || /^::ffff:127\./i.test(host);
}

/**
 * Why this listener may not start, or null. Beyond loopback the metrics say which containers are weak and how: they
 * go out only over TLS to a client that authenticates (basic auth or a verified client certificate), unless the user
 * says --insecure.
 */
export function exposureProblem(listen: ListenAddress, web: WebConfig | null, insecure: boolean): string | null {
  if (isLoopback(listen.host) || insecure) return null;
  const where = `--listen ${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port} is beyond loopback`;
  if (!web) return `${where}: give --web.config.file with TLS and basic auth (exporter-toolkit's format), or --insecure to serve plain HTTP to anyone who can reach it`;
  if (!web.tls) return `${where}: ${web.path} has no tls_server_config; add one, or pass --insecure`;
  const clientCertificate = web.tls.clientAuthType === 'RequireAndVerifyClientCert';
  if (web.basicAuthUsers.size === 0 && !clientCertificate) {
    return `${where}: ${web.path} authenticates nobody; add basic_auth_users (or client_auth_type: RequireAndVerifyClientCert), or pass --insecure`;
  }
  return null;
}

export interface ExporterServerOptions {
  listen: ListenAddress;
  web: WebConfig | null;
  /** The current exposition; must not scan. */
  metrics: () => Promise<string>;
}

export interface ExporterServer {
  /** Where to scrape, e.g. http://127.0.0.1:7718/metrics. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const LANDING = 'Isolens exporter: the isolation of every running container, for Prometheus.\nMetrics: /metrics\n';

export async function startExporterServer(options: ExporterServerOptions): Promise<ExporterServer> {
  const { web } = options;
  const auth = new BasicAuth(web?.basicAuthUsers ?? new Map());
  const headers = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store', ...(web?.headers ?? {}) };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (web?.tls && !clientCertificateAccepted(request.socket as TLSSocket, web.tls.clientAuthType)) {
      send(403, 'a valid client certificate is required\n');
      return;
    }
    if (auth.enabled && !(await auth.check(request.headers.authorization))) {
      response.setHeader('WWW-Authenticate', 'Basic realm="isolens", charset="UTF-8"');
      send(401, 'Unauthorized\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(405, 'read-only: GET /metrics\n');
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') send(200, await options.metrics(), METRICS_CONTENT_TYPE);
    else if (path === '/') send(200, LANDING);
    else send(404, 'not found: the metrics are at /metrics\n');
  };

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`exporter error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  };

  let server: Server;
  if (web?.tls) {
    const t = web.tls;
    const verify = t.clientAuthType === 'RequireAndVerifyClientCert';
    server = createHttpsServer(
      {
        cert: t.cert,
        key: t.key,
        ...(t.ca ? { ca: t.ca } : {}),
        minVersion: t.minVersion,
        ...(t.maxVersion ? { maxVersion: t.maxVersion } : {}),
        requestCert: t.clientAuthType !== 'NoClientCert',
        rejectUnauthorized: verify,
      },
      listener,
    );
  } else {
    server = createHttpServer(listener);
  }
  // Slow clients may not hold the listener open: a scrape is one small request.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.listen.port;
  const host = options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host;
  return {
    url: `${web?.tls ? 'https' : 'http'}://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The client-certificate rules Node's TLS options alone do not express (exporter-toolkit's client_auth_type). */
function clientCertificateAccepted(socket: TLSSocket, type: string): boolean {
  if (type === 'NoClientCert' || type === 'RequestClientCert') return true;
  const presented = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0;
  if (type === 'RequireAnyClientCert') return presented;
  if (type === 'VerifyClientCertIfGiven') return !presented || socket.authorized;
  return socket.authorized; // RequireAndVerifyClientCert (already enforced by rejectUnauthorized)
}
