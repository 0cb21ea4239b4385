// The dockerode client of an endpoint: what Isolens asks of an engine beyond plain GETs (event streams, exec, attach,
// images, its own containers) and every request over ssh://. Loaded only when first needed (connection.ts), so a scan
// over a socket or tcp never loads dockerode, docker-modem or their dependencies.
import Dockerode from 'dockerode';
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TIMEOUT_MS, engineAddress, tlsAgent, toEngineUnreachableError, type ClientOptions, type EngineUnreachableError } from './connect.js';
import type { EngineConnection, EngineGet } from './connection.js';
import type { ResolvedEndpoint } from './endpoint.js';
import { checkHostKey, type HostKeyVerdict } from './known-hosts.js';

interface ClientSettings {
  resolved: ResolvedEndpoint;
  timeoutMs: number;
  /** The last ssh host key check, so a refused handshake can say why. */
  hostKey: { verdict: HostKeyVerdict | null };
}

/** Which endpoint each client talks to, so errors raised far from createClient can still name it. */
const clientSettings = new WeakMap<Dockerode, ClientSettings>();

let modemSshWarningDropped = false;

/**
 * docker-modem turns an ssh endpoint into the pseudo-URL "ssh:HOST:PORT/path" (only its path is sent, through the ssh
 * channel) and passes it to url.resolve, which prints Node's DEP0170 deprecation on stderr for every request. That
 * warning, for an address of that shape, is dropped; every other warning is emitted as before.
 */
function dropModemSshUrlWarning(): void {
  if (modemSshWarningDropped) return;
  modemSshWarningDropped = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const options = rest[0];
    const code = typeof options === 'object' && options !== null ? (options as { code?: unknown }).code : rest[1];
    const text = typeof warning === 'string' ? warning : warning.message;
    if (code === 'DEP0170' && text.startsWith('The URL ssh:')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * Build the dockerode options for an endpoint. Every connection field is set, even to undefined, because docker-modem
 * merges our options over its own reading of DOCKER_HOST and would otherwise keep e.g. the environment's host.
 */
function modemOptions(
  resolved: ResolvedEndpoint,
  timeoutMs: number,
  hostKey: ClientSettings['hostKey'],
  knownHostsFiles: string[],
): Dockerode.DockerOptions {
  const base: Dockerode.DockerOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    username: undefined,
    sshOptions: undefined,
    timeout: timeoutMs,
  };
  (base as { connectionTimeout?: number }).connectionTimeout = timeoutMs;
  const address = engineAddress(resolved);
  // No agent of our own for plain HTTP: docker-modem util.inspect()s every request's options, agent included (showHidden,
  // unlimited depth), before it asks whether debugging is on. With an agent holding kept-alive sockets that cost ~20 ms
  // per request in a long-running process (30 inspects: 35 → 650 ms); node:http's global agent is not in the options.
  // The TLS agent is the connection's own (tlsAgent), which util.inspect prints as one line.
  if (address.transport === 'socket') return { ...base, socketPath: address.socketPath };
  if (address.transport === 'http') return { ...base, protocol: 'http', host: address.host, port: address.port };
  if (address.transport === 'https') {
    return { ...base, protocol: 'https', host: address.host, port: address.port, agent: tlsAgent(resolved) } as Dockerode.DockerOptions;
  }
  const { host: hostname, port } = address;
  dropModemSshUrlWarning();
  // ssh2 accepts any host key unless told otherwise; the docker CLI's ssh checks known_hosts, and so do we.
  const hostVerifier = (key: Buffer): boolean => {
    const knownHosts = knownHostsFiles.map((file) => readOptional(file) ?? '').join('\n');
    hostKey.verdict = checkHostKey(knownHosts, hostname, port, key);
    return hostKey.verdict === 'known';
  };
  return {
    ...base,
    // An idle timeout calls setTimeout on the ssh channel, which has none (an uncaught TypeError in node:http); the
    // connection timeout, a plain timer up to the engine's answer, still applies.
    timeout: undefined,
    protocol: 'ssh',
    host: hostname,
    port,
    // Like ssh, the local user name when the endpoint names none.
    username: address.username || userInfo().username,
    sshOptions: { agent: process.env.SSH_AUTH_SOCK, hostVerifier } as Dockerode.DockerOptions['sshOptions'],
  };
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A dockerode client for the endpoint, with a request timeout. Throws EngineUnreachableError for unusable settings. */
export function createClient(resolved: ResolvedEndpoint, options: ClientOptions = {}): Dockerode {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const hostKey: ClientSettings['hostKey'] = { verdict: null };
  const knownHostsFiles = options.knownHostsFiles ?? [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
  const settings = modemOptions(resolved, timeoutMs, hostKey, knownHostsFiles);
  // docker-modem reads DOCKER_HOST (and its TLS files) in its constructor and lets that override our ssh options or
  // throw on a malformed value; the endpoint is already resolved, so hide the variable for this synchronous call.
  const dockerHost = process.env.DOCKER_HOST;
  let client: Dockerode;
  try {
    delete process.env.DOCKER_HOST;
    client = new Dockerode(settings);
  } finally {
    if (dockerHost !== undefined) process.env.DOCKER_HOST = dockerHost;
  }
  clientSettings.set(client, { resolved, timeoutMs, hostKey });
  return client;
}

/** The endpoint a client was created for; derived from its connection settings for clients made elsewhere. */
export function clientEndpoint(client: Dockerode): ResolvedEndpoint {
  const known = clientSettings.get(client);
  if (known) return known.resolved;
  const modem = client.modem as { socketPath?: unknown; host?: string; port?: string | number; protocol?: string };
  if (typeof modem.socketPath === 'string') {
    return { endpoint: `unix://${modem.socketPath}`, source: 'client', tls: null, contextName: null };
  }
  return {
    endpoint: `tcp://${modem.host ?? 'localhost'}:${modem.port ?? ''}`,
    source: 'client',
    tls: modem.protocol === 'https' ? { verify: true } : null,
    contextName: null,
  };
}

export function clientTimeoutMs(client: Dockerode): number {
  return clientSettings.get(client)?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
}

/** toEngineUnreachableError with everything the client knows (endpoint, timeout, ssh host key verdict). */
export function clientUnreachableError(client: Dockerode, error: unknown): EngineUnreachableError | null {
  const settings = clientSettings.get(client);
  return toEngineUnreachableError(error, clientEndpoint(client), settings?.timeoutMs, settings?.hostKey.verdict ?? null);
}

/** Run an engine request; reachability failures become EngineUnreachableError, anything else is rethrown unchanged. */
export async function engineRequest<T>(client: Dockerode, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw clientUnreachableError(client, error) ?? error;
  }
}


/** An EngineConnection over a dockerode client: its GETs go through docker-modem (ssh://, and clients made elsewhere). */
export function dockerodeConnection(client: Dockerode): EngineConnection {
  return {
    resolved: clientEndpoint(client),
    timeoutMs: clientTimeoutMs(client),
    get: (request: EngineGet) =>
      new Promise((resolve, reject) => {
        // docker-modem appends the query to a path that ends in "?" (and drops the "?" when there is none).
        const options = { path: `${request.path}?`, method: 'GET', options: { ...request.query }, statusCodes: { ...request.reasons, 200: true } };
        client.modem.dial(options, (error: unknown, data: unknown) => (error ? reject(error) : resolve(data)));
      }),
    unreachable: (error) => clientUnreachableError(client, error),
    dockerode: async () => client,
  };
}
