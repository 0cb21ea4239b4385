// Which engine endpoint to talk to, chosen the way the docker CLI chooses it (--host, DOCKER_HOST, contexts), then Podman and the well-known sockets.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isConfigFile, isContextMeta } from './guards.js';

export interface TlsSettings {
  /** Verify the engine's certificate against the CA (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  verify: boolean;
  caPath?: string;
  certPath?: string;
  keyPath?: string;
}

export interface ResolvedEndpoint {
  /** unix:///path, tcp://host:port, ssh://[user@]host[:port][/path], npipe:////./pipe/name */
  endpoint: string;
  /** How the endpoint was chosen, in words: "--host", "DOCKER_HOST", "context \"desktop-linux\"", "default socket" … */
  source: string;
  tls: TlsSettings | null;
  /** The docker context the endpoint came from; null when no context was involved. */
  contextName: string | null;
}

export interface ResolveEndpointOptions {
  /** The --host argument, which beats everything else. */
  host?: string;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  exists?: (path: string) => boolean;
  /** The file's text, or undefined when it cannot be read. */
  readFile?: (path: string) => string | undefined;
}

/** The endpoint settings are unusable (garbage address, missing context): the message says what to fix. */
export class EndpointError extends Error {
  override name = 'EndpointError';
}

export const DEFAULT_SOCKET_PATH = '/var/run/docker.sock';
const DEFAULT_NAMED_PIPE = '//./pipe/docker_engine';
const DEFAULT_CONTEXT_NAME = 'default';
const EXPECTED_FORMS = 'expected unix:///path/to/socket, tcp://host:port, ssh://[user@]host[:port] or npipe:////./pipe/name';

function defaultReadFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A value quoted for an error message: a password in it is masked, JSON escaping keeps the message on one line. */
function quoted(value: string): string {
  const masked = value.replace(/(:\/\/[^/@:]*):[^/@]*@/, '$1:***@');
  const text = masked.length > 200 ? `${masked.slice(0, 200)}…` : masked;
  return JSON.stringify(text);
}

/**
 * Normalise an engine address as the docker CLI's ParseHost does: a bare "host:port" means tcp, tcp ports default to
 * 2375 (2376 with TLS), an empty unix:// path means the default socket. Anything else is rejected with a clear message.
 */
export function parseHost(value: string, from: string, tlsEnabled: boolean): string {
  const address = value.trim();
  if (address === '') throw new EndpointError(`${from} is empty; ${EXPECTED_FORMS}`);
  if (/[\s\u0000-\u001f\u007f]/.test(address)) {
    throw new EndpointError(`${from} ${quoted(value)} contains whitespace or control characters; ${EXPECTED_FORMS}`);
  }
  const separator = address.indexOf('://');
  if (separator < 0) {
    if (address.startsWith('/')) {
      throw new EndpointError(`${from} ${quoted(value)} is a path without a scheme; did you mean unix://${address}?`);
    }
    return parseTcp(address, value, from, tlsEnabled);
  }
  const scheme = address.slice(0, separator).toLowerCase();
  const rest = address.slice(separator + 3);
  switch (scheme) {
    case 'tcp':
      return parseTcp(rest, value, from, tlsEnabled);
    case 'unix':
      return `unix://${rest === '' ? DEFAULT_SOCKET_PATH : rest}`;
    case 'npipe':
      return `npipe://${rest === '' ? DEFAULT_NAMED_PIPE : rest}`;
    case 'ssh':
      return parseSsh(address, value, from);
    case 'http':
    case 'https':
      throw new EndpointError(
        `${from} ${quoted(value)} uses ${scheme}://, which the docker CLI does not accept; use tcp://host:port (and DOCKER_TLS_VERIFY=1 for TLS)`,
      );
    case 'fd':
      throw new EndpointError(`${from} ${quoted(value)}: fd:// only works for a daemon started by systemd; use unix:// or tcp://`);
    default:
      throw new EndpointError(`${from} ${quoted(value)} has an unknown scheme ${quoted(scheme)}; ${EXPECTED_FORMS}`);
  }
}

function parseTcp(hostAndPort: string, original: string, from: string, tlsEnabled: boolean): string {
  let url: URL;
  try {
    // An empty host ("tcp://:2375") means localhost in the CLI; URL() needs a host to parse the port.
    url = new URL(`tcp://${hostAndPort.startsWith(':') ? `localhost${hostAndPort}` : hostAndPort}`);
  } catch {
    throw new EndpointError(`${from} ${quoted(original)} is not a valid tcp address; expected tcp://host:port`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '' && url.pathname !== '/')) {
    throw new EndpointError(`${from} ${quoted(original)} has more than a host and a port; expected tcp://host:port`);
  }
  const host = url.hostname === '' ? 'localhost' : url.hostname;
  // Hostnames, IPv4 and bracketed IPv6 only: anything else would be a typo the resolver reports confusingly later.
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/.test(host)) {
    throw new EndpointError(`${from} ${quoted(original)} has an invalid host name ${quoted(host)}; expected tcp://host:port`);
  }
  if (url.port === '0') {
    throw new EndpointError(`${from} ${quoted(original)} has port 0; expected a port number 1–65535`);
  }
  const port = url.port === '' ? (tlsEnabled ? '2376' : '2375') : url.port;
  return `tcp://${host}:${port}`;
}

function parseSsh(address: string, original: string, from: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new EndpointError(`${from} ${quoted(original)} is not a valid ssh address; expected ssh://[user@]host[:port]`);
  }
  if (url.hostname === '' || url.password || url.search || url.hash) {
    throw new EndpointError(`${from} ${quoted(original)} is not a valid ssh address; expected ssh://[user@]host[:port] (no password: use ssh-agent)`);
  }
  return address;
}

/** The docker CLI's configuration directory: $DOCKER_CONFIG or ~/.docker (config.json and contexts/ live there). */
export function dockerConfigDir(env: NodeJS.ProcessEnv, homeDir: string): string {
  return env.DOCKER_CONFIG ? env.DOCKER_CONFIG : join(homeDir, '.docker');
}

/** The directory name of a context in the CLI's context store. */
export function contextDirectoryName(contextName: string): string {
  // node:crypto only here (a named context): loading it cost every scan a few milliseconds.
  const { createHash } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(contextName).digest('hex');
}

interface Io {
  exists: (path: string) => boolean;
  readFile: (path: string) => string | undefined;
}

/** Which TLS files exist in a directory; the CLI ignores the ones that are missing. */
function tlsFiles(directory: string, io: Io): Omit<TlsSettings, 'verify'> {
  const files: Omit<TlsSettings, 'verify'> = {};
  const ca = join(directory, 'ca.pem');
  const cert = join(directory, 'cert.pem');
  const key = join(directory, 'key.pem');
  if (io.exists(ca)) files.caPath = ca;
  if (io.exists(cert)) files.certPath = cert;
  if (io.exists(key)) files.keyPath = key;
  return files;
}

/** TLS from the environment as the docker CLI reads it: any non-empty DOCKER_TLS_VERIFY turns on verified TLS. */
function tlsFromEnvironment(env: NodeJS.ProcessEnv, configDir: string, io: Io): TlsSettings | null {
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return null;
  return { verify, ...tlsFiles(env.DOCKER_CERT_PATH || configDir, io) };
}

function fromHost(value: string, source: string, env: NodeJS.ProcessEnv, configDir: string, io: Io): ResolvedEndpoint {
  const tls = tlsFromEnvironment(env, configDir, io);
  const endpoint = parseHost(value, source, tls !== null);
  return { endpoint, source, tls: endpoint.startsWith('tcp://') ? tls : null, contextName: null };
}

function fromContext(name: string, from: string, configDir: string, io: Io): ResolvedEndpoint {
  const directory = contextDirectoryName(name);
  const metaPath = join(configDir, 'contexts', 'meta', directory, 'meta.json');
  const text = io.readFile(metaPath);
  if (text === undefined) {
    throw new EndpointError(`context ${quoted(name)} (from ${from}) does not exist: ${metaPath} is missing; list contexts with "docker context ls"`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EndpointError(`context ${quoted(name)}: ${metaPath} is not valid JSON; recreate it with "docker context create"`);
  }
  // ContextMeta in schemas.ts.
  const docker = isContextMeta(json) ? json.Endpoints.docker : undefined;
  if (!docker?.Host) {
    throw new EndpointError(`context ${quoted(name)} has no docker endpoint host in ${metaPath}; fix it with "docker context update ${name} --docker host=…"`);
  }
  const source = `context ${quoted(name)}`;
  const skipVerify = docker.SkipTLSVerify === true;
  const files = tlsFiles(join(configDir, 'contexts', 'tls', directory, 'docker'), io);
  const hasTlsFiles = Object.keys(files).length > 0;
  const tls: TlsSettings | null = hasTlsFiles || skipVerify ? { verify: !skipVerify, ...files } : null;
  const endpoint = parseHost(docker.Host, source, tls !== null);
  return { endpoint, source, tls: endpoint.startsWith('tcp://') ? tls : null, contextName: name };
}

/** The current context named in config.json, or null; an unreadable file is ignored as the CLI ignores it (with a warning). */
function currentContextFromConfig(configDir: string, io: Io): string | null {
  const text = io.readFile(join(configDir, 'config.json'));
  if (text === undefined) return null;
  try {
    // ConfigFile in schemas.ts.
    const config: unknown = JSON.parse(text);
    return isConfigFile(config) && config.currentContext ? config.currentContext : null;
  } catch {
    return null;
  }
}

/** The first well-known socket that exists: system Docker, rootless Docker, Docker Desktop, then Podman. */
function defaultSocket(env: NodeJS.ProcessEnv, homeDir: string, io: Io, contextName: string | null): ResolvedEndpoint {
  const runtimeDir = env.XDG_RUNTIME_DIR;
  const candidates: Array<[string, string]> = [[DEFAULT_SOCKET_PATH, 'default socket']];
  if (runtimeDir) candidates.push([join(runtimeDir, 'docker.sock'), 'rootless socket']);
  candidates.push(
    [join(homeDir, '.docker', 'run', 'docker.sock'), 'Docker Desktop socket'],
    [join(homeDir, '.docker', 'desktop', 'docker.sock'), 'Docker Desktop socket'],
  );
  if (runtimeDir) candidates.push([join(runtimeDir, 'podman', 'podman.sock'), 'Podman rootless socket']);
  candidates.push(['/run/podman/podman.sock', 'Podman socket']);
  const found = candidates.find(([path]) => io.exists(path));
  const [path, source] = found ?? [DEFAULT_SOCKET_PATH, 'default socket (not found)'];
  return { endpoint: `unix://${path}`, source, tls: null, contextName };
}

/**
 * Resolve the endpoint with the docker CLI's precedence: --host > DOCKER_HOST (+ DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) >
 * DOCKER_CONTEXT > currentContext in config.json > default. Podman's CONTAINER_HOST is consulted where the docker CLI
 * would fall back to its default, so an explicit Docker setting always wins, and an explicit Podman one beats probing.
 */
export function resolveEndpoint(options: ResolveEndpointOptions): ResolvedEndpoint {
  const io: Io = { exists: options.exists ?? existsSync, readFile: options.readFile ?? defaultReadFile };
  const { env, homeDir } = options;
  const configDir = dockerConfigDir(env, homeDir);

  if (options.host !== undefined && options.host.trim() !== '') return fromHost(options.host, '--host', env, configDir, io);
  if (env.DOCKER_HOST) return fromHost(env.DOCKER_HOST, 'DOCKER_HOST', env, configDir, io);

  let contextName: string | null = null;
  if (env.DOCKER_CONTEXT) {
    contextName = env.DOCKER_CONTEXT;
    if (contextName !== DEFAULT_CONTEXT_NAME) return fromContext(contextName, 'DOCKER_CONTEXT', configDir, io);
  } else {
    const current = currentContextFromConfig(configDir, io);
    if (current !== null) {
      contextName = current;
      if (current !== DEFAULT_CONTEXT_NAME) return fromContext(current, join(configDir, 'config.json'), configDir, io);
    }
  }

  // An explicitly chosen "default" context means Docker's default socket, not Podman's CONTAINER_HOST.
  if (env.CONTAINER_HOST && contextName === null) {
    const endpoint = parseHost(env.CONTAINER_HOST, 'CONTAINER_HOST', false);
    return { endpoint, source: 'CONTAINER_HOST', tls: null, contextName: null };
  }
  return defaultSocket(env, homeDir, io, contextName);
}
