// The Prometheus exporter-toolkit web configuration file (--web.config.file): TLS, client certificates, basic auth.
// Format: https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md — the same file a
// node_exporter takes, so one file and one habit serve every exporter on a host.
import bcrypt from 'bcryptjs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';

export class WebConfigError extends Error {
  override name = 'WebConfigError';
}

const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** bcrypt's modular crypt format ($2a$, $2b$, $2y$; cost; 22 salt + 31 hash characters), what htpasswd -B writes. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

// Keys of the format this exporter does not implement are refused by name, not ignored: ignoring client_allowed_sans
// or cipher_suites would serve with weaker settings than the file asks for.
const NOT_IMPLEMENTED = 'is not supported by isolens exporter; remove it (Node chooses the cipher suites and curves of its OpenSSL)';
const notImplemented = z.unknown().refine(() => false, { message: NOT_IMPLEMENTED }).optional();

const WebConfigSchema = z.strictObject({
  tls_server_config: z
    .strictObject({
      cert_file: z.string().min(1),
      key_file: z.string().min(1),
      client_auth_type: z.enum(CLIENT_AUTH_TYPES).default('NoClientCert'),
      client_ca_file: z.string().min(1).optional(),
      min_version: z.enum(Object.keys(TLS_VERSIONS) as [string, ...string[]]).default('TLS12'),
      max_version: z.enum(Object.keys(TLS_VERSIONS) as [string, ...string[]]).optional(),
      cipher_suites: notImplemented,
      curve_preferences: notImplemented,
      prefer_server_cipher_suites: notImplemented,
      client_allowed_sans: notImplemented,
    })
    .optional(),
  http_server_config: z
    .strictObject({
      headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.string().regex(/^[^\r\n]*$/, 'one line')).optional(),
      http2: notImplemented,
    })
    .optional(),
  basic_auth_users: z
    .record(
      z.string().min(1).regex(/^[^:]*$/, 'a user name without ":"'),
      z.string().regex(BCRYPT_HASH, 'a bcrypt hash (make one with: htpasswd -nBC 10 "" | tr -d \':\\n\')'),
    )
    .optional(),
});

export interface WebConfig {
  /** Where the file was read from, for messages. */
  path: string;
  tls: {
    cert: Buffer;
    key: Buffer;
    ca: Buffer | null;
    clientAuthType: ClientAuthType;
    minVersion: SecureVersion;
    maxVersion: SecureVersion | null;
  } | null;
  headers: Record<string, string>;
  /** User name → bcrypt hash. Empty: no basic auth. */
  basicAuthUsers: Map<string, string>;
}

/** Parse and check a web config file's text; file names are resolved against `directory` as exporter-toolkit does. */
export function parseWebConfig(text: string, path: string, readFile: (path: string) => Buffer = (p) => readFileSync(p)): WebConfig {
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (error) {
    throw new WebConfigError(`${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = WebConfigSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new WebConfigError(`${path}: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const directory = dirname(resolve(path));
  const load = (key: string, file: string): Buffer => {
    const full = resolve(directory, file);
    try {
      return readFile(full);
    } catch (error) {
      throw new WebConfigError(`${path}: tls_server_config.${key} ${full}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  };
  let tls: WebConfig['tls'] = null;
  const t = config.tls_server_config;
  if (t) {
    const needsCa = t.client_auth_type === 'RequireAndVerifyClientCert' || t.client_auth_type === 'VerifyClientCertIfGiven';
    if (needsCa && !t.client_ca_file) throw new WebConfigError(`${path}: tls_server_config.client_auth_type ${t.client_auth_type} needs client_ca_file`);
    tls = {
      cert: load('cert_file', t.cert_file),
      key: load('key_file', t.key_file),
      ca: t.client_ca_file ? load('client_ca_file', t.client_ca_file) : null,
      clientAuthType: t.client_auth_type,
      minVersion: TLS_VERSIONS[t.min_version]!,
      maxVersion: t.max_version ? TLS_VERSIONS[t.max_version]! : null,
    };
  }
  return {
    path,
    tls,
    headers: config.http_server_config?.headers ?? {},
    basicAuthUsers: new Map(Object.entries(config.basic_auth_users ?? {})),
  };
}

export function readWebConfig(path: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new WebConfigError(`cannot read the web config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseWebConfig(text, path);
}

/** A hash no password matches, compared against for unknown users so that a miss costs what a hit costs. */
const UNKNOWN_USER_HASH = '$2b$10$' + 'a'.repeat(53);

/**
 * Basic auth against bcrypt hashes. bcrypt is slow on purpose (~50 ms at cost 10 in JavaScript); a scrape every 15 s
 * would pay it every time, so successful checks are remembered by a SHA-256 of user and password, as exporter-toolkit
 * does. A failed check is never remembered, and the cache is bounded.
 */
export class BasicAuth {
  private readonly verified = new Map<string, Buffer>();

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** Does this Authorization header carry a known user and the right password? */
  async check(header: string | undefined): Promise<boolean> {
    const credentials = parseBasic(header);
    if (!credentials) return false;
    const { user, password } = credentials;
    const digest = createHash('sha256').update(user).update('\0').update(password).digest();
    const remembered = this.verified.get(user);
    if (remembered && timingSafeEqual(remembered, digest)) return true;
    const hash = this.users.get(user);
    const ok = await bcrypt.compare(password, hash ?? UNKNOWN_USER_HASH);
    if (!ok || hash === undefined) return false;
    if (this.verified.size >= 1000) this.verified.clear();
    this.verified.set(user, digest);
    return true;
  }
}

function parseBasic(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
