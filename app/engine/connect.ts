// What every connection to an engine shares: its settings (timeout, TLS files, which endpoints can be dialled), the
// one-line errors a user can act on when the engine cannot be reached, and the engine's description.
import { readFileSync, statSync } from 'node:fs';
import type { Agent as HttpsAgent } from 'node:https';
import { release } from 'node:os';
import type { ZodType } from 'zod';
import type { EngineInfo } from '../model/schema.js';
import type { EngineConnection } from './connection.js';
import type { ResolvedEndpoint } from './endpoint.js';
import { isInfoResponse, isNetworkResponse, isVersionResponse } from './guards.js';
import type { HostKeyVerdict } from './known-hosts.js';
import type { InfoResponse, VersionResponse } from './schemas.js';

export type { InfoResponse, VersionResponse };

/** How long one request may take before the engine counts as not answering. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ClientOptions {
  timeoutMs?: number;
  /** known_hosts files an ssh engine's host key must be in; OpenSSH's user and system files by default. */
  knownHostsFiles?: string[];
}

/** The engine cannot be reached; the message is one line that says what to do about it. */
export class EngineUnreachableError extends Error {
  override name = 'EngineUnreachableError';
  constructor(
    message: string,
    readonly endpoint: string,
    /** The underlying error code (ENOENT, EACCES, ECONNREFUSED, HTTP_500 …) when there is one. */
    readonly code: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(oneLine(message), options);
  }
}

/** The engine answered, but not with what Isolens depends on (an old, broken or foreign API). */
export class EngineResponseError extends Error {
  override name = 'EngineResponseError';
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

/** Text that came from the engine or the network, shortened and on one line. */
function excerpt(text: string, max = 200): string {
  const line = oneLine(text);
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function readTlsFile(path: string | undefined, what: string, endpoint: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new EngineUnreachableError(
      `cannot read the TLS ${what} ${path} (${code}) for ${endpoint}; check DOCKER_CERT_PATH or the context's TLS files`,
      endpoint,
      code,
      { cause: error },
    );
  }
}

/** A TLS endpoint's files and verification, as node:https's agent takes them. Throws EngineUnreachableError for an unreadable file. */
function tlsFiles(resolved: ResolvedEndpoint): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } {
  const tls = resolved.tls;
  if (!tls) return { rejectUnauthorized: true };
  const { endpoint } = resolved;
  const files: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const ca = readTlsFile(tls.caPath, 'CA certificate', endpoint);
  const cert = readTlsFile(tls.certPath, 'client certificate', endpoint);
  const key = readTlsFile(tls.keyPath, 'client key', endpoint);
  if (ca) files.ca = ca;
  if (cert) files.cert = cert;
  if (key) files.key = key;
  return { ...files, rejectUnauthorized: tls.verify };
}

/**
 * Where an endpoint's requests go, worked out once for every client of it (node:http's GETs, dockerode): a socket path
 * (unix://, npipe://), a host and port over plain HTTP or TLS (tcp://), or an ssh host (ssh://).
 */
export type EngineAddress =
  | { transport: 'socket'; socketPath: string }
  | { transport: 'http'; host: string; port: string }
  | { transport: 'https'; host: string; port: string }
  | { transport: 'ssh'; host: string; port: number; /** From the endpoint, percent-decoded; '' when it names none. */ username: string };

/** Throws EngineUnreachableError for an endpoint no connection can dial: an unknown scheme, an ssh:// address with a socket path. */
export function engineAddress(resolved: ResolvedEndpoint): EngineAddress {
  const { endpoint } = resolved;
  if (endpoint.startsWith('unix://')) return { transport: 'socket', socketPath: endpoint.slice('unix://'.length) };
  if (endpoint.startsWith('npipe://')) return { transport: 'socket', socketPath: endpoint.slice('npipe://'.length) };
  if (!endpoint.startsWith('tcp://') && !endpoint.startsWith('ssh://')) {
    throw new EngineUnreachableError(`${endpoint}: unsupported endpoint; use unix://, tcp:// or ssh://`, endpoint, 'UNSUPPORTED');
  }
  const url = new URL(endpoint);
  // An IPv6 literal without its brackets, as node:net takes it.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol === 'tcp:') return resolved.tls ? { transport: 'https', host, port: url.port } : { transport: 'http', host, port: url.port };
  if (url.pathname !== '' && url.pathname !== '/') {
    // docker-modem runs `docker system dial-stdio` on the remote host, which cannot reach a socket path such as Podman's.
    throw new EngineUnreachableError(
      `${endpoint} names a socket path over ssh, which Isolens cannot dial; forward it instead (ssh -NL /tmp/engine.sock:${url.pathname} ${url.host}) and use --host unix:///tmp/engine.sock`,
      endpoint,
      'UNSUPPORTED',
    );
  }
  return { transport: 'ssh', host, port: url.port ? Number(url.port) : 22, username: decodeURIComponent(url.username) };
}

/** One agent per TLS endpoint, shared by its GETs and its dockerode client: its files are read once, its sockets pooled once. */
const tlsAgents = new WeakMap<ResolvedEndpoint, HttpsAgent>();

/**
 * The keep-alive node:https agent that carries a TLS endpoint's settings (docker-modem has no option to skip
 * verification, SkipTLSVerify, so the agent carries them all). Throws EngineUnreachableError for an unreadable TLS file.
 */
export function tlsAgent(resolved: ResolvedEndpoint): HttpsAgent {
  const known = tlsAgents.get(resolved);
  if (known) return known;
  const files = tlsFiles(resolved);
  // node:https (and tls) only for a TLS endpoint: loading them costs every other start several milliseconds.
  const { Agent } = process.getBuiltinModule('node:https') as typeof import('node:https');
  const agent = new Agent({ keepAlive: true, ...files });
  // docker-modem util.inspect()s every request's options, agent included, before it asks whether debugging is on: this
  // agent's sockets and TLS contexts (2.7 ms a request after two requests, at load 4.5; it grows with the sockets) and
  // its options' client key, which DEBUG=modem would then print. util.inspect calls an object's own inspect.custom
  // instead: one line, no key.
  Object.defineProperty(agent, Symbol.for('nodejs.util.inspect.custom'), { value: () => `[https.Agent for ${resolved.endpoint}]` });
  tlsAgents.set(resolved, agent);
  return agent;
}

type StartHint = { engine: string; start: string };

/** How to start the engine that is expected behind a socket path. */
function startHint(socketPath: string): StartHint {
  if (socketPath.includes('podman')) {
    return socketPath.startsWith('/run/podman') || socketPath.startsWith('/var/run/podman')
      ? { engine: 'Podman', start: 'sudo systemctl start podman.socket' }
      : { engine: 'Podman', start: 'systemctl --user start podman.socket' };
  }
  if (socketPath.includes('/.docker/run/') || socketPath.includes('/.docker/desktop/')) {
    return { engine: 'Docker Desktop', start: 'open Docker Desktop' };
  }
  if (socketPath.startsWith('/run/user/')) return { engine: 'rootless Docker', start: 'systemctl --user start docker' };
  return { engine: 'Docker', start: 'sudo systemctl start docker' };
}

/** Where an endpoint leads, for messages: the socket path, host:port, or user@host. */
export function place(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length);
  if (endpoint.startsWith('npipe://')) return endpoint.slice('npipe://'.length);
  return endpoint;
}

const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the engine\'s certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the engine\'s certificate chain ends in an untrusted CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the engine\'s certificate is not signed by the CA in ca.pem',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the engine\'s certificate is not signed by the CA in ca.pem',
  CERT_HAS_EXPIRED: 'the engine\'s certificate has expired',
  CERT_NOT_YET_VALID: 'the engine\'s certificate is not valid yet (check the clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the engine\'s certificate does not name this host',
};

function isTlsError(code: string, message: string): boolean {
  return (
    code in TLS_REASONS ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    code === 'EPROTO' ||
    /certificate|SSL routines|TLS/i.test(message)
  );
}

/** What a unix endpoint's path is when it exists but is not a socket ("a regular file", "a directory", …); else null. */
function nonSocketKind(endpoint: string): string | null {
  if (!endpoint.startsWith('unix://')) return null;
  try {
    const stats = statSync(endpoint.slice('unix://'.length));
    if (stats.isSocket()) return null;
    if (stats.isFile()) return 'a regular file';
    if (stats.isDirectory()) return 'a directory';
    if (stats.isCharacterDevice()) return 'a character device';
    if (stats.isBlockDevice()) return 'a block device';
    if (stats.isFIFO()) return 'a FIFO';
    return 'not a socket';
  } catch {
    return null;
  }
}

/**
 * The one-line, actionable error for a failure to talk to the engine, or null when the error is something else (a bug,
 * or an HTTP answer such as 404 that the caller handles).
 */
export function toEngineUnreachableError(
  error: unknown,
  resolved: ResolvedEndpoint,
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
  hostKeyVerdict: HostKeyVerdict | null = null,
): EngineUnreachableError | null {
  if (error instanceof EngineUnreachableError) return error;
  if (!(error instanceof Error)) return null;
  const { endpoint } = resolved;
  const where = place(endpoint);
  const isSocket = endpoint.startsWith('unix://') || endpoint.startsWith('npipe://');
  const hint = startHint(where);
  const failure = error as Error & { code?: string; statusCode?: number; json?: unknown; level?: string };
  const code = typeof failure.code === 'string' ? failure.code : '';
  const make = (message: string, errorCode: string) => new EngineUnreachableError(message, endpoint, errorCode, { cause: error });
  const seconds = Math.round(timeoutMs / 100) / 10;

  if (typeof failure.statusCode === 'number') {
    const engineMessage = engineErrorMessage(failure);
    if (failure.statusCode >= 500) {
      return make(
        `the engine at ${where} failed with HTTP ${failure.statusCode}: ${excerpt(engineMessage)}; check its logs (journalctl -u ${hint.engine === 'Podman' ? 'podman' : 'docker'})`,
        `HTTP_${failure.statusCode}`,
      );
    }
    if (failure.statusCode === 400 && /HTTP request to an HTTPS server/i.test(engineMessage)) {
      return make(
        `the engine at ${where} requires TLS; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem`,
        'TLS_REQUIRED',
      );
    }
    return null;
  }
  if (/Host denied \(verification failed\)/.test(failure.message) || (hostKeyVerdict !== null && hostKeyVerdict !== 'known')) {
    const url = new URL(endpoint);
    const target = `${url.username ? `${url.username}@` : ''}${url.hostname}${url.port ? ` -p ${url.port}` : ''}`;
    const problem =
      hostKeyVerdict === 'changed'
        ? 'differs from the one in known_hosts: the host was reinstalled or someone is intercepting the connection; refusing to connect'
        : hostKeyVerdict === 'revoked'
          ? 'is marked @revoked in known_hosts; refusing to connect'
          : `is not in ~/.ssh/known_hosts; connect once with "ssh ${target}" to check and record it`;
    return make(`the ssh host key of ${url.hostname} ${problem}`, 'SSH_HOST_KEY');
  }
  if (failure.level === 'client-authentication') {
    return make(`ssh authentication to ${where} failed; add your key to ssh-agent (ssh-add) and check that SSH_AUTH_SOCK is set`, 'SSH_AUTH');
  }
  switch (code) {
    case 'ENOENT':
      return isSocket
        ? make(`no engine socket at ${where}; is ${hint.engine} running? start it with "${hint.start}", or choose another engine with --host or DOCKER_HOST`, code)
        : null;
    case 'EACCES':
    case 'EPERM':
      return make(
        isSocket
          ? `permission denied on ${where}; add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or use --host`
          : `permission denied connecting to ${where}; check the address and any local firewall policy`,
        code,
      );
    case 'ECONNREFUSED':
    case 'ENOTSOCK': {
      // connect(2) on a path that is a file, a directory or a device also says ECONNREFUSED: say what the path is.
      const kind = nonSocketKind(endpoint);
      if (kind) return make(`${where} is ${kind}, not a socket: no engine can listen there; check ${resolved.source}`, 'ENOTSOCK');
      return make(
        isSocket
          ? `the socket ${where} exists but no engine listens on it; ${hint.engine} has stopped: start it with "${hint.start}"`
          : `connection refused by ${where}; is the engine listening there? (port 2375 is plain HTTP, 2376 TLS)`,
        code,
      );
    }
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return make(`the engine at ${where} did not answer within ${seconds} s; check the address, the network and any firewall`, code);
    case 'ECONNRESET':
    case 'EPIPE':
      // docker-modem ends a request that hits its timeout by destroying it, which surfaces as a reset ("socket hang up").
      return make(
        `the engine at ${where} closed the connection or did not answer within ${seconds} s; check that it is healthy (docker info)${endpoint.startsWith('tcp://') && !resolved.tls ? ' and whether it expects TLS (port 2376)' : ''}`,
        code,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(`cannot resolve the engine host in ${endpoint}; check the name in ${resolved.source}`, code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return make(`no network route to ${where}; check the address and your network or VPN`, code);
    default:
      break;
  }
  if (isTlsError(code, failure.message)) {
    const reason = TLS_REASONS[code] ?? excerpt(failure.message, 120);
    return make(
      `TLS with ${where} failed: ${reason}${TLS_REASONS[code] ? ` (${code})` : ''}; check ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH or the context, and DOCKER_TLS_VERIFY`,
      code || 'TLS',
    );
  }
  return null;
}

function engineErrorMessage(failure: { json?: unknown; message: string }): string {
  const json = failure.json;
  if (json && typeof json === 'object' && 'message' in json && typeof (json as { message: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (typeof json === 'string' && json !== '') return json;
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8');
  return failure.message.replace(/^\(HTTP code \d+\)\s*/, '');
}

/** The zod schemas (schemas.ts) an engine answer may be checked against when its guard refuses it. */
type SchemaName = 'ContainerList' | 'VersionResponse' | 'InfoResponse' | 'NetworkResponse';

/**
 * Validate an engine answer we depend on: a weird engine gets a clear message instead of a crash further on. A
 * well-formed answer passes its guard (guards.ts) and is used as it is; anything else goes to its zod schema, loaded
 * only then, which accepts what the guard would not or says what is wrong.
 */
export async function checkedAnswer<T>(guard: (value: unknown) => value is T, schema: SchemaName, value: unknown, what: string, endpoint: string): Promise<T> {
  if (guard(value)) return value;
  const schemas = await import('./schemas.js');
  const result = (schemas[schema] as unknown as ZodType<T>).safeParse(value);
  if (result.success) return result.data;
  throw new EngineResponseError(
    oneLine(
      `the engine at ${place(endpoint)} answered ${what} with an unexpected document (${schemas.describeIssues(result.error)}); it may be too old or not a Docker or Podman engine`,
    ),
  );
}

/** Podman's compatible API announces itself as a component of /version. */
export function engineKind(version: VersionResponse): 'docker' | 'podman' {
  return version.Components?.some((component) => component.Name === 'Podman Engine') ? 'podman' : 'docker';
}

/** Whether a security option ("name=rootless", "name=seccomp,profile=default") of the given name is reported. */
function hasSecurityOption(options: readonly string[], name: string): boolean {
  return options.some((option) => option.split(',').includes(`name=${name}`));
}

export interface HostFacts {
  platform: NodeJS.Platform;
  /** This host's kernel release (uname -r). */
  kernelRelease: string;
}

/**
 * Whether the engine's containers run on this host's kernel, so their PIDs are in this /proc: only over a local socket,
 * only on Linux, and not when the engine runs in a VM (Docker Desktop, podman machine), which shows as another kernel.
 */
export function engineRunsLocally(
  endpoint: string,
  info: Pick<InfoResponse, 'OperatingSystem' | 'KernelVersion'>,
  host: HostFacts,
): boolean {
  if (!endpoint.startsWith('unix://') || host.platform !== 'linux') return false;
  if (info.OperatingSystem && /docker desktop/i.test(info.OperatingSystem)) return false;
  if (/podman[-/]machine/.test(endpoint)) return false;
  if (info.KernelVersion && info.KernelVersion !== host.kernelRelease) return false;
  return true;
}

export function iccFromBridgeOptions(options: Record<string, string> | null | undefined): boolean | null {
  const value = options?.['com.docker.network.bridge.enable_icc'];
  if (value === undefined) return null;
  return value === 'true';
}

/** Build EngineInfo from the engine's checked /version and /info answers (pure, so captured answers can be tested). */
export function engineInfoFrom(
  version: VersionResponse,
  info: InfoResponse,
  resolved: ResolvedEndpoint,
  extra: { iccOnDefaultBridge: boolean | null; host: HostFacts },
): EngineInfo {
  const securityOptions = info.SecurityOptions ?? null;
  const cgroupVersion = info.CgroupVersion === '1' ? 1 : info.CgroupVersion === '2' ? 2 : null;
  return {
    kind: engineKind(version),
    endpoint: resolved.endpoint,
    endpointSource: resolved.source,
    tls: resolved.tls !== null,
    local: engineRunsLocally(resolved.endpoint, info, extra.host),
    name: info.Name ?? null,
    version: version.Version,
    apiVersion: version.ApiVersion,
    os: info.OperatingSystem ?? version.Os ?? null,
    kernelVersion: info.KernelVersion ?? version.KernelVersion ?? null,
    rootless: info.Rootless === true || (securityOptions ? hasSecurityOption(securityOptions, 'rootless') : info.Rootless === false ? false : null),
    cgroupVersion,
    cgroupDriver: info.CgroupDriver ?? null,
    userNamespaceRemap: securityOptions ? hasSecurityOption(securityOptions, 'userns') : null,
    securityOptions: securityOptions ?? [],
    liveRestore: info.LiveRestoreEnabled ?? null,
    defaultRuntime: info.DefaultRuntime ?? null,
    runtimes: Object.fromEntries(
      Object.entries(info.Runtimes ?? {}).flatMap(([name, runtime]) => (runtime.path ? [[name, { path: runtime.path, arguments: runtime.runtimeArgs ?? [] }]] : [])),
    ),
    iccOnDefaultBridge: extra.iccOnDefaultBridge,
  };
}

/** Ask the engine what it is: /version, /info and the default bridge's ICC option. */
export async function describeEngine(
  connection: EngineConnection,
  host: HostFacts = { platform: process.platform, kernelRelease: release() },
): Promise<EngineInfo> {
  const { resolved } = connection;
  const ask = async (what: string): Promise<unknown> => {
    try {
      return await connection.get({ path: what, reasons: { 500: 'server error' } });
    } catch (error) {
      const mapped = connection.unreachable(error);
      if (mapped) throw mapped;
      const status = (error as { statusCode?: number }).statusCode;
      if (typeof status === 'number') {
        throw new EngineUnreachableError(
          `${place(resolved.endpoint)} answered ${what} with HTTP ${status}; it is not a Docker or Podman engine API (check ${resolved.source})`,
          resolved.endpoint,
          `HTTP_${status}`,
          { cause: error },
        );
      }
      throw error;
    }
  };
  // The three questions in one round trip's time, not two (a one-shot scan waits for all of them).
  const [version, info, iccOnDefaultBridge] = await Promise.all([
    ask('/version'),
    ask('/info'),
    connection
      .get({ path: '/networks/bridge', reasons: { 404: 'no such network', 500: 'server error' } })
      .then(async (network: unknown) => {
        if (isNetworkResponse(network)) return iccFromBridgeOptions(network.Options);
        const parsed = (await import('./schemas.js')).NetworkResponse.safeParse(network);
        return parsed.success ? iccFromBridgeOptions(parsed.data.Options) : null;
      })
      // No default bridge (Podman names its network "podman"; --bridge=none) means ICC there is not a fact to report.
      .catch(() => null),
  ]);
  // Checked in this order, so an engine wrong in both is told about /version first, as before.
  const checkedVersion = await checkedAnswer(isVersionResponse, 'VersionResponse', version, '/version', resolved.endpoint);
  const checkedInfo = await checkedAnswer(isInfoResponse, 'InfoResponse', info, '/info', resolved.endpoint);
  return engineInfoFrom(checkedVersion, checkedInfo, resolved, { iccOnDefaultBridge, host });
}
