// Endpoint resolution: each step of the docker CLI's precedence, contexts made by the real CLI, socket probing, bad addresses.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contextDirectoryName, EndpointError, parseHost, resolveEndpoint } from './endpoint.js';

// A ~/.docker made by the docker CLI 28 (`docker context create` ×3, `docker context use desktop-linux`).
const CLI_CONFIG = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'docker-config');
const REMOTE_TLS_HASH = '23c8f454b38298f642b47a0456a0e58c24d1b48f79c40bd9bddac2451cd459e8';

let home: string;
let dockerDir: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'eng-home-'));
  dockerDir = join(home, '.docker');
  cpSync(CLI_CONFIG, dockerDir, { recursive: true });
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** Files exist only inside the temp home, so the host's real sockets do not leak into the test. */
const onlyInHome = (path: string) => path.startsWith(home) && existsSync(path);

function touch(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
}

describe('context store layout', () => {
  it('names a context directory by the sha256 of the context name, as the CLI did', () => {
    expect(contextDirectoryName('remote-tls')).toBe(REMOTE_TLS_HASH);
    expect(existsSync(join(dockerDir, 'contexts', 'meta', contextDirectoryName('desktop-linux'), 'meta.json'))).toBe(true);
    expect(existsSync(join(dockerDir, 'contexts', 'meta', contextDirectoryName('insecure'), 'meta.json'))).toBe(true);
  });
});

describe('precedence', () => {
  it('--host beats DOCKER_HOST, DOCKER_CONTEXT and the current context', () => {
    const resolved = resolveEndpoint({
      host: 'unix:///tmp/from-flag.sock',
      env: { DOCKER_HOST: 'tcp://10.0.0.9:2375', DOCKER_CONTEXT: 'remote-tls' },
      homeDir: home,
    });
    expect(resolved).toEqual({ endpoint: 'unix:///tmp/from-flag.sock', source: '--host', tls: null, contextName: null });
  });

  it('DOCKER_HOST beats DOCKER_CONTEXT and config.json, and takes TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
    const certDir = join(dockerDir, 'contexts', 'tls', REMOTE_TLS_HASH, 'docker');
    const resolved = resolveEndpoint({
      env: { DOCKER_HOST: 'tcp://engine.example.internal', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir, DOCKER_CONTEXT: 'insecure' },
      homeDir: home,
    });
    expect(resolved).toEqual({
      endpoint: 'tcp://engine.example.internal:2376',
      source: 'DOCKER_HOST',
      tls: { verify: true, caPath: join(certDir, 'ca.pem'), certPath: join(certDir, 'cert.pem'), keyPath: join(certDir, 'key.pem') },
      contextName: null,
    });
  });

  it('DOCKER_HOST without TLS variables is plain tcp on 2375', () => {
    const resolved = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.9' }, homeDir: home });
    expect(resolved.endpoint).toBe('tcp://10.0.0.9:2375');
    expect(resolved.tls).toBeNull();
  });

  it('DOCKER_TLS_VERIFY looks for certificates in ~/.docker when DOCKER_CERT_PATH is unset, keeping only files that exist', () => {
    touch(join(dockerDir, 'ca.pem'));
    const resolved = resolveEndpoint({ env: { DOCKER_HOST: 'tcp://10.0.0.9:2376', DOCKER_TLS_VERIFY: '1' }, homeDir: home });
    expect(resolved.tls).toEqual({ verify: true, caPath: join(dockerDir, 'ca.pem') });
  });

  it('TLS variables do not apply to a unix socket', () => {
    const resolved = resolveEndpoint({ env: { DOCKER_HOST: 'unix:///run/docker.sock', DOCKER_TLS_VERIFY: '1' }, homeDir: home });
    expect(resolved).toEqual({ endpoint: 'unix:///run/docker.sock', source: 'DOCKER_HOST', tls: null, contextName: null });
  });

  it('DOCKER_CONTEXT beats currentContext and carries the context TLS material', () => {
    const resolved = resolveEndpoint({ env: { DOCKER_CONTEXT: 'remote-tls' }, homeDir: home });
    const tlsDir = join(dockerDir, 'contexts', 'tls', REMOTE_TLS_HASH, 'docker');
    expect(resolved).toEqual({
      endpoint: 'tcp://build.example.internal:2376',
      source: 'context "remote-tls"',
      tls: { verify: true, caPath: join(tlsDir, 'ca.pem'), certPath: join(tlsDir, 'cert.pem'), keyPath: join(tlsDir, 'key.pem') },
      contextName: 'remote-tls',
    });
  });

  it('a context with SkipTLSVerify uses TLS without verification', () => {
    const resolved = resolveEndpoint({ env: { DOCKER_CONTEXT: 'insecure' }, homeDir: home });
    expect(resolved).toEqual({ endpoint: 'tcp://10.1.2.3:2376', source: 'context "insecure"', tls: { verify: false }, contextName: 'insecure' });
  });

  it('currentContext in config.json is used when nothing else is set', () => {
    const resolved = resolveEndpoint({ env: {}, homeDir: home, exists: onlyInHome });
    expect(resolved).toEqual({
      endpoint: 'unix:///home/dev/.docker/desktop/docker.sock',
      source: 'context "desktop-linux"',
      tls: null,
      contextName: 'desktop-linux',
    });
  });

  it('DOCKER_CONFIG moves both config.json and the context store', () => {
    const elsewhere = join(home, 'elsewhere');
    cpSync(dockerDir, elsewhere, { recursive: true });
    writeFileSync(join(elsewhere, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'insecure' }));
    rmSync(dockerDir, { recursive: true });
    const resolved = resolveEndpoint({ env: { DOCKER_CONFIG: elsewhere }, homeDir: home, exists: onlyInHome });
    expect(resolved.endpoint).toBe('tcp://10.1.2.3:2376');
    expect(resolved.contextName).toBe('insecure');
  });

  it('the "default" context means the default socket', () => {
    touch(join(home, '.docker', 'run', 'docker.sock'));
    const resolved = resolveEndpoint({ env: { DOCKER_CONTEXT: 'default', CONTAINER_HOST: 'unix:///run/podman/podman.sock' }, homeDir: home, exists: onlyInHome });
    expect(resolved).toEqual({
      endpoint: `unix://${join(home, '.docker', 'run', 'docker.sock')}`,
      source: 'Docker Desktop socket',
      tls: null,
      contextName: 'default',
    });
  });

  it('a context that does not exist is a clear error', () => {
    expect(() => resolveEndpoint({ env: { DOCKER_CONTEXT: 'nope' }, homeDir: home })).toThrowError(
      /context "nope" \(from DOCKER_CONTEXT\) does not exist: .*meta\.json is missing; list contexts with "docker context ls"/,
    );
  });

  it('a config.json that is not JSON is ignored, as the CLI ignores it', () => {
    writeFileSync(join(dockerDir, 'config.json'), '{ not json');
    touch(join(home, 'run', 'docker.sock'));
    const resolved = resolveEndpoint({ env: { XDG_RUNTIME_DIR: join(home, 'run') }, homeDir: home, exists: onlyInHome });
    expect(resolved.source).toBe('rootless socket');
  });

  it('CONTAINER_HOST is used where the docker CLI would fall back to its default', () => {
    rmSync(join(dockerDir, 'config.json'));
    const podman = resolveEndpoint({ env: { CONTAINER_HOST: 'unix:///run/user/1000/podman/podman.sock' }, homeDir: home });
    expect(podman).toEqual({ endpoint: 'unix:///run/user/1000/podman/podman.sock', source: 'CONTAINER_HOST', tls: null, contextName: null });
    const docker = resolveEndpoint({ env: { CONTAINER_HOST: 'unix:///run/podman/podman.sock', DOCKER_HOST: 'unix:///d.sock' }, homeDir: home });
    expect(docker.source).toBe('DOCKER_HOST');
  });

  it('the current context beats CONTAINER_HOST', () => {
    const resolved = resolveEndpoint({ env: { CONTAINER_HOST: 'unix:///run/podman/podman.sock' }, homeDir: home });
    expect(resolved.source).toBe('context "desktop-linux"');
  });
});

describe('default socket probing', () => {
  beforeEach(() => rmSync(join(dockerDir, 'config.json')));
  const runtimeDir = () => join(home, 'run-user-1000');

  it('reports /var/run/docker.sock as not found when no socket exists', () => {
    const resolved = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtimeDir() }, homeDir: home, exists: onlyInHome });
    expect(resolved).toEqual({ endpoint: 'unix:///var/run/docker.sock', source: 'default socket (not found)', tls: null, contextName: null });
  });

  it('prefers /var/run/docker.sock when it exists', () => {
    touch(join(runtimeDir(), 'docker.sock'));
    const exists = (path: string) => path === '/var/run/docker.sock' || onlyInHome(path);
    const resolved = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtimeDir() }, homeDir: home, exists });
    expect(resolved).toEqual({ endpoint: 'unix:///var/run/docker.sock', source: 'default socket', tls: null, contextName: null });
  });

  it('finds rootless Docker in $XDG_RUNTIME_DIR before rootless Podman', () => {
    touch(join(runtimeDir(), 'docker.sock'));
    touch(join(runtimeDir(), 'podman', 'podman.sock'));
    const resolved = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtimeDir() }, homeDir: home, exists: onlyInHome });
    expect(resolved.endpoint).toBe(`unix://${join(runtimeDir(), 'docker.sock')}`);
    expect(resolved.source).toBe('rootless socket');
  });

  it('finds Docker Desktop under ~/.docker', () => {
    touch(join(home, '.docker', 'desktop', 'docker.sock'));
    const resolved = resolveEndpoint({ env: {}, homeDir: home, exists: onlyInHome });
    expect(resolved).toEqual({
      endpoint: `unix://${join(home, '.docker', 'desktop', 'docker.sock')}`,
      source: 'Docker Desktop socket',
      tls: null,
      contextName: null,
    });
  });

  it('finds rootless Podman', () => {
    touch(join(runtimeDir(), 'podman', 'podman.sock'));
    const resolved = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtimeDir() }, homeDir: home, exists: onlyInHome });
    expect(resolved.endpoint).toBe(`unix://${join(runtimeDir(), 'podman', 'podman.sock')}`);
    expect(resolved.source).toBe('Podman rootless socket');
  });

  it('finds the system Podman socket last', () => {
    const exists = (path: string) => path === '/run/podman/podman.sock';
    const resolved = resolveEndpoint({ env: { XDG_RUNTIME_DIR: runtimeDir() }, homeDir: home, exists });
    expect(resolved).toEqual({ endpoint: 'unix:///run/podman/podman.sock', source: 'Podman socket', tls: null, contextName: null });
  });
});

describe('host addresses', () => {
  it.each([
    ['localhost:2375', 'tcp://localhost:2375'],
    ['tcp://10.0.0.1', 'tcp://10.0.0.1:2375'],
    ['tcp://:2375', 'tcp://localhost:2375'],
    ['tcp://[::1]:2376', 'tcp://[::1]:2376'],
    ['  tcp://engine.example.internal:2376  ', 'tcp://engine.example.internal:2376'],
    ['unix://', 'unix:///var/run/docker.sock'],
    ['unix:///run/user/1000/docker.sock', 'unix:///run/user/1000/docker.sock'],
    ['npipe://', 'npipe:////./pipe/docker_engine'],
    ['ssh://me@build.example.internal:2222', 'ssh://me@build.example.internal:2222'],
  ])('accepts %j as %s', (value, expected) => {
    expect(parseHost(value, '--host', false)).toBe(expected);
  });

  it('uses port 2376 by default with TLS', () => {
    expect(parseHost('tcp://10.0.0.1', 'DOCKER_HOST', true)).toBe('tcp://10.0.0.1:2376');
  });

  it.each([
    ['/var/run/docker.sock', /is a path without a scheme; did you mean unix:\/\/\/var\/run\/docker\.sock\?/],
    ['htp://localhost:2375', /has an unknown scheme "htp"/],
    ['http://localhost:2375', /uses http:\/\/, which the docker CLI does not accept; use tcp:\/\/host:port/],
    ['tcp://localhost:99999', /is not a valid tcp address/],
    ['tcp://localhost:port', /is not a valid tcp address/],
    ['tcp://localhost:0', /has port 0/],
    ['tcp://user:secret@host:2375', /has more than a host and a port/],
    ['tcp://host:2375/v1.41', /has more than a host and a port/],
    ['tcp://bad_host!:2375', /has an invalid host name/],
    ['tcp://a b:2375', /contains whitespace or control characters/],
    ['unix:///tmp/x\n.sock', /contains whitespace or control characters/],
    ['ssh://', /is not a valid ssh address/],
    ['fd://', /fd:\/\/ only works for a daemon started by systemd/],
    ['://nothing', /has an unknown scheme ""/],
  ])('rejects %j with a clear message', (value, message) => {
    expect(() => resolveEndpoint({ host: value, env: {}, homeDir: home })).toThrowError(message);
    expect(() => resolveEndpoint({ host: value, env: {}, homeDir: home })).toThrowError(EndpointError);
  });

  it('does not repeat a password in the message', () => {
    expect(() => resolveEndpoint({ host: 'tcp://admin:hunter2@host:2375', env: {}, homeDir: home })).toThrowError(
      '--host "tcp://admin:***@host:2375" has more than a host and a port; expected tcp://host:port',
    );
  });

  it('names the setting that holds the garbage', () => {
    expect(() => resolveEndpoint({ env: { DOCKER_HOST: 'garbage://x' }, homeDir: home })).toThrowError(/^DOCKER_HOST "garbage:\/\/x" has an unknown scheme/);
  });

  it('an empty --host is no --host, as in the CLI', () => {
    expect(resolveEndpoint({ host: ' ', env: { DOCKER_HOST: 'unix:///d.sock' }, homeDir: home }).source).toBe('DOCKER_HOST');
  });
});
