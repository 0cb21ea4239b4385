import bcrypt from 'bcryptjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPORTER_PORT, exposureProblem, isLoopback, parseListen, startExporterServer, type ExporterServer } from './server.js';
import { BasicAuth, parseWebConfig, readWebConfig, WebConfigError } from './web-config.js';

const TLS_DIR = new URL('../engine/fixtures/tls/', import.meta.url);
const CERT = readFileSync(new URL('server-self-signed-cert.pem', TLS_DIR));
const dir = mkdtempSync(join(tmpdir(), 'isolens-webconfig-'));
writeFileSync(join(dir, 'isolens.crt'), CERT);
writeFileSync(join(dir, 'isolens.key'), readFileSync(new URL('server-self-signed-key.pem', TLS_DIR)));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A real htpasswd -B style hash, made once here at cost 4 (the format allows 4–31) to keep the test fast.
const HASH = bcrypt.hashSync('s3cret:with:colons', 4);

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('--listen', () => {
  it('parses HOST:PORT, [IPv6]:PORT, :PORT and localhost', () => {
    expect(parseListen('127.0.0.1:7718')).toEqual({ host: '127.0.0.1', port: 7718 });
    expect(parseListen('[::1]:7718')).toEqual({ host: '::1', port: 7718 });
    expect(parseListen(':7718')).toEqual({ host: '0.0.0.0', port: 7718 });
    expect(parseListen('localhost:0')).toEqual({ host: '127.0.0.1', port: 0 });
  });
  it('refuses what is not an address, with the flag in the message', () => {
    expect(() => parseListen('7718')).toThrow(/--listen "7718": expected HOST:PORT/);
    expect(() => parseListen('127.0.0.1:70000')).toThrow(/expected HOST:PORT/);
    expect(() => parseListen('example.com:7718')).toThrow(/give an IP address/);
    expect(() => parseListen('[nope]:1')).toThrow(/expected HOST:PORT|not an IPv6/);
  });
  it('knows loopback', () => {
    expect(['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '192.168.1.2'].some(isLoopback)).toBe(false);
    expect(DEFAULT_EXPORTER_PORT).toBe(7718);
  });
});

describe('beyond loopback: TLS and authentication, or --insecure', () => {
  const tlsOnly = parseWebConfig('tls_server_config:\n  cert_file: isolens.crt\n  key_file: isolens.key\n', join(dir, 'web.yml'));
  const tlsAndAuth = parseWebConfig(`tls_server_config:\n  cert_file: isolens.crt\n  key_file: isolens.key\nbasic_auth_users:\n  prometheus: ${HASH}\n`, join(dir, 'web.yml'));
  const authOnly = parseWebConfig(`basic_auth_users:\n  prometheus: ${HASH}\n`, join(dir, 'web.yml'));
  const all = { host: '0.0.0.0', port: 7718 };

  it('loopback needs nothing', () => {
    expect(exposureProblem({ host: '127.0.0.1', port: 7718 }, null, false)).toBeNull();
  });
  it('all interfaces without a web config is refused, naming both ways out', () => {
    expect(exposureProblem(all, null, false)).toMatch(/--listen 0\.0\.0\.0:7718 is beyond loopback: give --web\.config\.file .* or --insecure/);
  });
  it('TLS without authentication, or authentication without TLS, is refused', () => {
    expect(exposureProblem(all, tlsOnly, false)).toMatch(/authenticates nobody/);
    expect(exposureProblem(all, authOnly, false)).toMatch(/has no tls_server_config/);
  });
  it('TLS with basic auth, or --insecure, is allowed', () => {
    expect(exposureProblem(all, tlsAndAuth, false)).toBeNull();
    expect(exposureProblem({ host: '::', port: 7718 }, null, true)).toBeNull();
  });
});

describe('web config file (exporter-toolkit format)', () => {
  it('reads TLS files relative to the config file, the default minimum version TLS 1.2, users and headers', () => {
    const path = writeConfig(
      'full.yml',
      `tls_server_config:\n  cert_file: isolens.crt\n  key_file: isolens.key\n  min_version: TLS13\nhttp_server_config:\n  headers:\n    Strict-Transport-Security: max-age=31536000\nbasic_auth_users:\n  prometheus: ${HASH}\n`,
    );
    const config = readWebConfig(path);
    expect(config.tls?.cert.equals(CERT)).toBe(true);
    expect(config.tls?.minVersion).toBe('TLSv1.3');
    expect(config.tls?.clientAuthType).toBe('NoClientCert');
    expect(config.headers).toEqual({ 'Strict-Transport-Security': 'max-age=31536000' });
    expect(config.basicAuthUsers.get('prometheus')).toBe(HASH);
    expect(parseWebConfig('tls_server_config:\n  cert_file: isolens.crt\n  key_file: isolens.key\n', path).tls?.minVersion).toBe('TLSv1.2');
  });

  it('refuses, with the file and key named: plain-text passwords, unknown keys, unimplemented keys, missing files', () => {
    const path = join(dir, 'bad.yml');
    expect(() => parseWebConfig('basic_auth_users:\n  prometheus: hunter2\n', path)).toThrow(/bad\.yml: basic_auth_users\.prometheus: a bcrypt hash/);
    expect(() => parseWebConfig('tls_config:\n  cert_file: a\n', path)).toThrow(WebConfigError);
    expect(() => parseWebConfig('tls_server_config:\n  cert_file: isolens.crt\n  key_file: isolens.key\n  client_allowed_sans: [a]\n', path)).toThrow(
      /client_allowed_sans: is not supported/,
    );
    expect(() => parseWebConfig('tls_server_config:\n  cert_file: missing.crt\n  key_file: isolens.key\n', path)).toThrow(/cert_file .*missing\.crt: ENOENT/);
    expect(() => parseWebConfig('tls_server_config:\n  cert_file: isolens.crt\n  key_file: isolens.key\n  client_auth_type: RequireAndVerifyClientCert\n', path)).toThrow(
      /needs client_ca_file/,
    );
    expect(() => parseWebConfig('a: [unclosed', path)).toThrow(/not valid YAML/);
    expect(() => readWebConfig(join(dir, 'nope.yml'))).toThrow(/cannot read the web config file .*ENOENT/);
  });

  it('an empty file is an empty config', () => {
    const config = parseWebConfig('', join(dir, 'empty.yml'));
    expect(config.tls).toBeNull();
    expect(config.basicAuthUsers.size).toBe(0);
  });
});

describe('basic auth against bcrypt hashes', () => {
  it('accepts the right password (colons included), refuses wrong ones, unknown users and malformed headers', async () => {
    const auth = new BasicAuth(new Map([['prometheus', HASH]]));
    expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe(true);
    expect(await auth.check(basic('prometheus', 's3cret:with:colons'))).toBe(true); // remembered
    expect(await auth.check(basic('prometheus', 's3cret'))).toBe(false);
    expect(await auth.check(basic('someone', 's3cret:with:colons'))).toBe(false);
    expect(await auth.check(undefined)).toBe(false);
    expect(await auth.check('Bearer abc')).toBe(false);
    expect(await auth.check(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBe(false);
  });
});

describe('the listener', () => {
  let server: ExporterServer | null = null;
  afterAll(async () => server?.close());

  function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { ca: CERT, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves /metrics over TLS to an authenticated client only, with the configured headers', async () => {
    const web = parseWebConfig(
      `tls_server_config:\n  cert_file: isolens.crt\n  key_file: isolens.key\nhttp_server_config:\n  headers:\n    X-Test: yes\nbasic_auth_users:\n  prometheus: ${HASH}\n`,
      join(dir, 'web.yml'),
    );
    let scrapes = 0;
    server = await startExporterServer({ listen: { host: '127.0.0.1', port: 0 }, web, metrics: async () => `isolens_engine_up ${++scrapes}\n` });
    expect(server.url).toBe(`https://127.0.0.1:${server.port}/metrics`);
    const refused = await get(server.url);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Basic realm="isolens"/);
    expect((await get(server.url, { Authorization: basic('prometheus', 'wrong') })).status).toBe(401);
    expect(scrapes).toBe(0);
    const ok = await get(server.url, { Authorization: basic('prometheus', 's3cret:with:colons') });
    expect(ok).toMatchObject({ status: 200, body: 'isolens_engine_up 1\n' });
    expect(ok.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(ok.headers['x-test']).toBe('yes');
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    const elsewhere = await get(server.url.replace('/metrics', '/lab'), { Authorization: basic('prometheus', 's3cret:with:colons') });
    expect(elsewhere.status).toBe(404);
  });
});
