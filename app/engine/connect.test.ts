// Connecting and describing: real connection failures mapped to one-line errors, TLS both ways, captured Docker and Podman answers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { inspect } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openConnection } from './connection.js';
import { createClient, dockerodeConnection } from './dockerode-client.js';
import {
  describeEngine,
  EngineResponseError,
  EngineUnreachableError,
  engineInfoFrom,
  engineRunsLocally,
  toEngineUnreachableError,
} from './connect.js';
import type { ResolvedEndpoint } from './endpoint.js';
import { InfoResponse, VersionResponse } from './schemas.js';
import { dialStdioSshServer } from '../../e2e/harness/ssh.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const dockerVersion = VersionResponse.parse(fixture('docker-version.json'));
const dockerInfo = InfoResponse.parse(fixture('docker-info.json'));
const dockerBridge = fixture('docker-network-bridge.json');
const podmanVersion = VersionResponse.parse(fixture('podman-version.json'));
const podmanInfo = InfoResponse.parse(fixture('podman-info.json'));
const THIS_HOST = { platform: 'linux' as const, kernelRelease: '6.18.44-fc-v669' };

const unix = (path: string): ResolvedEndpoint => ({ endpoint: `unix://${path}`, source: '--host', tls: null, contextName: null });
const tcp = (port: number, tls: ResolvedEndpoint['tls'] = null): ResolvedEndpoint => ({
  endpoint: `tcp://127.0.0.1:${port}`,
  source: 'DOCKER_HOST',
  tls,
  contextName: null,
});

let dir: string;
const closers: Array<() => Promise<void>> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eng-connect-'));
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  rmSync(dir, { recursive: true, force: true });
});

async function listen<T extends net.Server>(server: T, where: string | number): Promise<T> {
  await new Promise<void>((resolve) => (typeof where === 'string' ? server.listen(where, resolve) : server.listen(where, '127.0.0.1', resolve)));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        (server as unknown as http.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  );
  return server;
}

/** An HTTP handler that answers like an engine from the captured documents. */
function engineHandler(answers: Record<string, { status?: number; body: unknown }>): http.RequestListener {
  return (request, response) => {
    const path = (request.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]!;
    const answer = answers[path] ?? { status: 404, body: { message: 'page not found' } };
    response.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json' });
    response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  };
}

const DOCKER_ANSWERS = { '/version': { body: dockerVersion }, '/info': { body: dockerInfo }, '/networks/bridge': { body: dockerBridge } };

async function describeError(resolved: ResolvedEndpoint, timeoutMs?: number): Promise<Error> {
  const connection = openConnection(resolved, timeoutMs === undefined ? {} : { timeoutMs });
  return describeEngine(connection, THIS_HOST).then(
    () => {
      throw new Error('expected the engine to be unreachable');
    },
    (error: Error) => error,
  );
}

describe('EngineUnreachableError from real connection failures', () => {
  it('no socket file: ENOENT', async () => {
    const path = join(dir, 'missing', 'docker.sock');
    const error = await describeError(unix(path));
    expect(error).toBeInstanceOf(EngineUnreachableError);
    expect(error.message).toBe(
      `no engine socket at ${path}; is Docker running? start it with "sudo systemctl start docker", or choose another engine with --host or DOCKER_HOST`,
    );
    expect((error as EngineUnreachableError).code).toBe('ENOENT');
  });

  it('a Podman socket path gets the Podman hint', async () => {
    const path = join(dir, 'podman', 'podman.sock');
    const error = await describeError(unix(path));
    expect(error.message).toMatch(/^no engine socket at .*podman\.sock; is Podman running\? start it with "systemctl --user start podman\.socket"/);
  });

  it('a socket file nobody listens on: ECONNREFUSED', async () => {
    const live = join(dir, 'live.sock');
    const stale = join(dir, 'docker.sock');
    const server = await listen(net.createServer(), live);
    linkSync(live, stale); // the second name outlives the listener, like a socket left behind by a crashed engine
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await describeError(unix(stale));
    expect(error.message).toBe(
      `the socket ${stale} exists but no engine listens on it; Docker has stopped: start it with "sudo systemctl start docker"`,
    );
    expect((error as EngineUnreachableError).code).toBe('ECONNREFUSED');
  });

  it('a path that is not a socket (a regular file, a directory, /dev/null) says so, not "no engine listens"', async () => {
    const file = join(dir, 'passwd');
    writeFileSync(file, 'root:x:0:0:root:/root:/bin/sh\n');
    for (const [path, kind] of [[file, 'a regular file'], [dir, 'a directory'], ['/dev/null', 'a character device']] as const) {
      const error = await describeError(unix(path));
      expect(error.message).toBe(`${path} is ${kind}, not a socket: no engine can listen there; check --host`);
      expect((error as EngineUnreachableError).code).toBe('ENOTSOCK');
    }
  });

  it('a closed tcp port: ECONNREFUSED', async () => {
    const probe = await listen(net.createServer(), 0);
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await describeError(tcp(port));
    expect(error.message).toBe(`connection refused by tcp://127.0.0.1:${port}; is the engine listening there? (port 2375 is plain HTTP, 2376 TLS)`);
  });

  it('a socket the user may not open: EACCES', async () => {
    const path = join(dir, 'docker.sock');
    await listen(http.createServer(engineHandler(DOCKER_ANSWERS)), path);
    chmodSync(dir, 0o755);
    chmodSync(path, 0o600);
    let failure: Error & { code?: string };
    if (process.getuid?.() === 0) {
      // Root passes permission checks, so the real connect is made by an unprivileged child (nobody) and its error kept.
      const script =
        "require('http').get({socketPath: process.argv[1], path: '/version'}).on('error', (e) => console.log(JSON.stringify({code: e.code, message: e.message, syscall: e.syscall, address: e.address}))).on('response', () => console.log('{}'))";
      const output = execFileSync(process.execPath, ['-e', script, path], { uid: 65534, gid: 65534, encoding: 'utf8' });
      const fields = JSON.parse(output) as { code?: string; message?: string };
      failure = Object.assign(new Error(fields.message), fields);
    } else {
      failure = await describeError(unix(path));
    }
    expect(failure.code).toBe('EACCES');
    const error = toEngineUnreachableError(failure, unix(path));
    expect(error?.message).toBe(
      `permission denied on ${path}; add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or use --host`,
    );
  });

  it('an engine that accepts but never answers: timeout', async () => {
    const path = join(dir, 'docker.sock');
    const sockets: net.Socket[] = [];
    await listen(net.createServer((socket) => sockets.push(socket)), path);
    closers.push(async () => sockets.forEach((socket) => socket.destroy()));
    const error = await describeError(unix(path), 300);
    expect(error).toBeInstanceOf(EngineUnreachableError);
    expect(error.message).toBe(
      `the engine at ${path} closed the connection or did not answer within 0.3 s; check that it is healthy (docker info)`,
    );
  });

  it('an engine that fails with HTTP 500: the engine\'s message on one line', async () => {
    const path = join(dir, 'docker.sock');
    const answers = { ...DOCKER_ANSWERS, '/info': { status: 500, body: { message: 'error during connect:\nstorage driver failed' } } };
    await listen(http.createServer(engineHandler(answers)), path);
    const error = await describeError(unix(path));
    expect(error.message).toBe(
      `the engine at ${path} failed with HTTP 500: error during connect: storage driver failed; check its logs (journalctl -u docker)`,
    );
    expect(error.message).not.toContain('\n');
  });

  it('an HTTP server that is not an engine', async () => {
    const path = join(dir, 'docker.sock');
    await listen(http.createServer(engineHandler({})), path);
    const error = await describeError(unix(path));
    expect(error.message).toBe(`${path} answered /version with HTTP 404; it is not a Docker or Podman engine API (check --host)`);
  });

  it('an engine whose answer lacks what Isolens depends on', async () => {
    const path = join(dir, 'docker.sock');
    await listen(http.createServer(engineHandler({ ...DOCKER_ANSWERS, '/version': { body: { Version: 20 } } })), path);
    const error = await describeError(unix(path));
    expect(error).toBeInstanceOf(EngineResponseError);
    expect(error.message).toBe(
      `the engine at ${path} answered /version with an unexpected document (Version: Invalid input: expected string, received number; ApiVersion: Invalid input: expected string, received undefined); it may be too old or not a Docker or Podman engine`,
    );
  });

  it('ignores a DOCKER_HOST in the environment once the endpoint is resolved', async () => {
    const path = join(dir, 'docker.sock');
    await listen(http.createServer(engineHandler(DOCKER_ANSWERS)), path);
    // docker-modem would read this pair itself: connect to port 1 and load certificates from a missing directory.
    const saved = { host: process.env.DOCKER_HOST, certPath: process.env.DOCKER_CERT_PATH };
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    process.env.DOCKER_CERT_PATH = join(dir, 'no-certificates');
    try {
      const connection = openConnection(unix(path));
      const info = await describeEngine(connection, THIS_HOST);
      expect(info.version).toBe('20.10.24+dfsg1');
      // The dockerode client (events, exec, ssh://) the same connection makes on first use ignores it too.
      expect((await describeEngine(dockerodeConnection(await connection.dockerode()), THIS_HOST)).version).toBe('20.10.24+dfsg1');
      expect(process.env.DOCKER_HOST).toBe('tcp://127.0.0.1:1');
    } finally {
      for (const [name, value] of [['DOCKER_HOST', saved.host], ['DOCKER_CERT_PATH', saved.certPath]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('plain HTTP endpoints', () => {
  it('unix:// and tcp:// without TLS pass docker-modem no agent of their own, and its GETs describe the engine as node:http\'s do', async () => {
    const path = join(dir, 'docker.sock');
    await listen(http.createServer(engineHandler(DOCKER_ANSWERS)), path);
    const server = await listen(http.createServer(engineHandler(DOCKER_ANSWERS)), 0);
    const port = (server.address() as net.AddressInfo).port;
    const overUnix = createClient(unix(path));
    const overTcp = createClient(tcp(port));
    // docker-modem util.inspect()s each request's options, agent and its sockets included, whether or not DEBUG is on:
    // an agent in the options cost ~20 ms per request in a long-running process (connect.ts).
    const agentOf = (client: ReturnType<typeof createClient>) => (client.modem as unknown as { agent?: unknown }).agent;
    expect(agentOf(overUnix)).toBeUndefined();
    expect(agentOf(overTcp)).toBeUndefined();
    expect(await describeEngine(dockerodeConnection(overUnix), THIS_HOST)).toEqual(await describeEngine(openConnection(unix(path)), THIS_HOST));
    expect(await describeEngine(dockerodeConnection(overTcp), THIS_HOST)).toEqual(await describeEngine(openConnection(tcp(port)), THIS_HOST));
    expect((await describeEngine(openConnection(tcp(port)), THIS_HOST)).endpoint).toBe(`tcp://127.0.0.1:${port}`);
  });
});

describe('TLS', () => {
  const serverOptions = {
    cert: readFileSync(join(FIXTURES, 'tls', 'server-self-signed-cert.pem')),
    key: readFileSync(join(FIXTURES, 'tls', 'server-self-signed-key.pem')),
  };
  // A CA that did not sign the server's certificate: the CA a context made with `docker context create` stored.
  const otherCa = join(FIXTURES, 'docker-config', 'contexts', 'tls', '23c8f454b38298f642b47a0456a0e58c24d1b48f79c40bd9bddac2451cd459e8', 'docker', 'ca.pem');

  async function tlsEngine(): Promise<number> {
    const server = await listen(https.createServer(serverOptions, engineHandler(DOCKER_ANSWERS)), 0);
    return (server.address() as net.AddressInfo).port;
  }

  it('an untrusted engine certificate fails verification with a one-line reason', async () => {
    const port = await tlsEngine();
    const error = await describeError(tcp(port, { verify: true, caPath: otherCa }));
    expect(error).toBeInstanceOf(EngineUnreachableError);
    expect(error.message).toBe(
      `TLS with tcp://127.0.0.1:${port} failed: the engine's certificate is self-signed and not trusted (DEPTH_ZERO_SELF_SIGNED_CERT); check ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH or the context, and DOCKER_TLS_VERIFY`,
    );
  });

  it('the engine certificate\'s own CA is trusted', async () => {
    const port = await tlsEngine();
    const resolved = tcp(port, { verify: true, caPath: join(FIXTURES, 'tls', 'server-self-signed-cert.pem') });
    const info = await describeEngine(openConnection(resolved), THIS_HOST);
    expect(info.tls).toBe(true);
    expect(info.local).toBe(false);
  });

  it('SkipTLSVerify talks TLS without verifying', async () => {
    const port = await tlsEngine();
    const resolved = tcp(port, { verify: false });
    const info = await describeEngine(openConnection(resolved), THIS_HOST);
    expect(info.kind).toBe('docker');
    expect(info.endpoint).toBe(`tcp://127.0.0.1:${port}`);
  });

  it('the TLS agent docker-modem inspects on every request is one line, without the client key', async () => {
    const port = await tlsEngine();
    const context = join(FIXTURES, 'docker-config', 'contexts', 'tls', '23c8f454b38298f642b47a0456a0e58c24d1b48f79c40bd9bddac2451cd459e8', 'docker');
    const resolved = tcp(port, { verify: false, certPath: join(context, 'cert.pem'), keyPath: join(context, 'key.pem') });
    const client = createClient(resolved);
    // After a request, so the agent holds a kept-alive socket and its TLS session, as in a long-running serve.
    expect((await describeEngine(dockerodeConnection(client), THIS_HOST)).tls).toBe(true);
    const agent = (client.modem as unknown as { agent: https.Agent }).agent;
    expect(agent).toBeInstanceOf(https.Agent);
    // What docker-modem does before each request, DEBUG or not (modem.js: debug('Sending: %s', util.inspect(options, …))).
    const printed = inspect({ path: '/version', agent }, { showHidden: true, depth: null });
    expect(printed).toContain(`[https.Agent for tcp://127.0.0.1:${port}]`);
    expect(printed.length).toBeLessThan(200);
    // util.inspect prints a Buffer as its first 50 bytes in hex: the key's would follow its PEM header's 28 bytes.
    const keyBytes = readFileSync(join(context, 'key.pem'));
    expect(keyBytes.subarray(0, 28).toString()).toBe('-----BEGIN PRIVATE KEY-----\n');
    expect(printed).not.toContain([...keyBytes.subarray(28, 40)].map((b) => b.toString(16).padStart(2, '0')).join(' '));
  });

  it("a TLS endpoint's GETs and its dockerode client share one agent, whose files are read once", async () => {
    const port = await tlsEngine();
    const caPath = join(dir, 'ca.pem');
    writeFileSync(caPath, readFileSync(join(FIXTURES, 'tls', 'server-self-signed-cert.pem')));
    const resolved = tcp(port, { verify: true, caPath });
    const connection = openConnection(resolved);
    expect((await describeEngine(connection, THIS_HOST)).tls).toBe(true);
    // Gone after the first connection read it: the dockerode client of the same endpoint uses what was read.
    rmSync(caPath);
    const client = await connection.dockerode();
    expect((await describeEngine(dockerodeConnection(client), THIS_HOST)).tls).toBe(true);
    const agentOf = (other: typeof client) => (other.modem as unknown as { agent: https.Agent }).agent;
    expect(agentOf(client)).toBeInstanceOf(https.Agent);
    expect(agentOf(createClient(resolved))).toBe(agentOf(client));
    // Per endpoint, not per process: another endpoint naming the missing file is refused with its name.
    expect(() => openConnection(tcp(port, { verify: true, caPath }))).toThrowError(/^cannot read the TLS CA certificate .*ca\.pem \(ENOENT\)/);
  });

  it('plain HTTP to a TLS port is reported as a closed connection that may expect TLS', async () => {
    const port = await tlsEngine();
    const error = await describeError(tcp(port));
    expect(error.message).toMatch(/^the engine at tcp:\/\/127\.0\.0\.1:\d+ closed the connection or did not answer within 10 s; .* and whether it expects TLS \(port 2376\)$/);
  });

  it('an unreadable TLS file is named, by the connection and by the dockerode client', () => {
    const unreadable = new RegExp(`^cannot read the TLS CA certificate ${join(dir, 'ca.pem')} \\(ENOENT\\) for tcp://127.0.0.1:2376`);
    expect(() => openConnection(tcp(2376, { verify: true, caPath: join(dir, 'ca.pem') }))).toThrowError(unreadable);
    expect(() => createClient(tcp(2376, { verify: true, caPath: join(dir, 'ca.pem') }))).toThrowError(unreadable);
  });

  it('ssh to a socket path (Podman style) is refused with a way forward', () => {
    const resolved: ResolvedEndpoint = { endpoint: 'ssh://core@127.0.0.1:2222/run/user/1000/podman/podman.sock', source: 'CONTAINER_HOST', tls: null, contextName: null };
    const refusal = /cannot dial; forward it instead \(ssh -NL \/tmp\/engine\.sock:\/run\/user\/1000\/podman\/podman\.sock 127\.0\.0\.1:2222\)/;
    expect(() => openConnection(resolved)).toThrowError(refusal);
    expect(() => createClient(resolved)).toThrowError(refusal);
  });
});

describe('describing the engine from captured answers', () => {
  it('Docker 20.10 on this host', () => {
    const info = engineInfoFrom(dockerVersion, dockerInfo, unix('/var/run/docker.sock'), { iccOnDefaultBridge: true, host: THIS_HOST });
    expect(info).toEqual({
      kind: 'docker',
      endpoint: 'unix:///var/run/docker.sock',
      endpointSource: '--host',
      tls: false,
      local: true,
      name: 'vm',
      version: '20.10.24+dfsg1',
      apiVersion: '1.41',
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernelVersion: '6.18.44-fc-v669',
      rootless: false,
      cgroupVersion: 1,
      cgroupDriver: 'cgroupfs',
      userNamespaceRemap: false,
      securityOptions: ['name=seccomp,profile=default'],
      liveRestore: false,
      defaultRuntime: 'runc',
      runtimes: {
        'io.containerd.runc.v2': { path: 'runc', arguments: [] },
        'io.containerd.runtime.v1.linux': { path: 'runc', arguments: [] },
        runc: { path: 'runc', arguments: [] },
      },
      iccOnDefaultBridge: true,
    });
  });

  it('Podman 4.3 through its Docker-compatible API', () => {
    const info = engineInfoFrom(podmanVersion, podmanInfo, unix('/run/podman/podman.sock'), { iccOnDefaultBridge: null, host: THIS_HOST });
    expect(info.kind).toBe('podman');
    expect(info.version).toBe('4.3.1');
    expect(info.apiVersion).toBe('1.41');
    expect(info.os).toBe('debian');
    expect(info.securityOptions).toEqual(['name=seccomp,profile=default']);
    expect(info.rootless).toBe(false);
    expect(info.local).toBe(true);
  });

  it('reads rootless Podman from its own Rootless field (its compatible API leaves it out of SecurityOptions)', () => {
    // The captured rootful answer, with the one field a rootless `podman system service` answers differently here.
    const rootless = engineInfoFrom(podmanVersion, { ...podmanInfo, Rootless: true }, unix('/tmp/podman.sock'), { iccOnDefaultBridge: null, host: THIS_HOST });
    expect(rootless.rootless).toBe(true);
  });

  it('reads rootless and userns-remap from the security options', () => {
    const info = engineInfoFrom(
      dockerVersion,
      { ...dockerInfo, SecurityOptions: ['name=seccomp,profile=default', 'name=rootless', 'name=userns'], CgroupVersion: '2' },
      unix('/run/user/1000/docker.sock'),
      { iccOnDefaultBridge: null, host: THIS_HOST },
    );
    expect([info.rootless, info.userNamespaceRemap, info.cgroupVersion]).toEqual([true, true, 2]);
  });

  it('the default bridge ICC option, from the real engine or a fake one', async () => {
    const path = join(dir, 'docker.sock');
    const bridge = dockerBridge as { Options: Record<string, string> };
    const answers = { ...DOCKER_ANSWERS, '/networks/bridge': { body: { ...bridge, Options: { ...bridge.Options, 'com.docker.network.bridge.enable_icc': 'false' } } } };
    await listen(http.createServer(engineHandler(answers)), path);
    expect((await describeEngine(openConnection(unix(path)), THIS_HOST)).iccOnDefaultBridge).toBe(false);
  });

  it('Podman\'s "bridge" network has no ICC option: unknown, not a guess', async () => {
    const path = join(dir, 'podman.sock');
    const answers = { '/version': { body: podmanVersion }, '/info': { body: podmanInfo }, '/networks/bridge': { body: fixture('podman-network-bridge.json') } };
    await listen(http.createServer(engineHandler(answers)), path);
    const info = await describeEngine(openConnection(unix(path)), THIS_HOST);
    expect(info.kind).toBe('podman');
    expect(info.iccOnDefaultBridge).toBeNull();
  });
});

describe('engineRunsLocally', () => {
  const linuxEngine = { OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', KernelVersion: THIS_HOST.kernelRelease };
  it.each([
    ['a local socket on the same kernel', 'unix:///var/run/docker.sock', linuxEngine, THIS_HOST, true],
    ['tcp', 'tcp://127.0.0.1:2375', linuxEngine, THIS_HOST, false],
    ['ssh', 'ssh://me@host', linuxEngine, THIS_HOST, false],
    ['Docker Desktop', 'unix:///home/dev/.docker/desktop/docker.sock', { OperatingSystem: 'Docker Desktop', KernelVersion: THIS_HOST.kernelRelease }, THIS_HOST, false],
    ['another kernel (a VM)', 'unix:///var/run/docker.sock', { ...linuxEngine, KernelVersion: '6.10.14-linuxkit' }, THIS_HOST, false],
    ['podman machine', 'unix:///run/user/1000/podman/podman-machine-default-api.sock', linuxEngine, THIS_HOST, false],
    ['a Mac client', 'unix:///var/run/docker.sock', linuxEngine, { ...THIS_HOST, platform: 'darwin' as const }, false],
  ])('%s', (_name, endpoint, info, host, expected) => {
    expect(engineRunsLocally(endpoint, info, host)).toBe(expected);
  });
});

describe('ssh', () => {
  const hostKey = readFileSync(join(FIXTURES, 'ssh', 'host_ed25519'));
  const hostPublicKey = readFileSync(join(FIXTURES, 'ssh', 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const impostorPublicKey = readFileSync(join(FIXTURES, 'ssh', 'impostor_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const commands: string[] = [];

  /**
   * An ssh server that, like an engine host, runs `docker system dial-stdio` by connecting the channel to the engine
   * socket (here a fake engine answering with the captured documents).
   */
  async function sshEngine(): Promise<number> {
    const enginePath = join(dir, 'docker.sock');
    await listen(http.createServer(engineHandler(DOCKER_ANSWERS)), enginePath);
    const server = dialStdioSshServer(hostKey, enginePath, commands);
    await listen(server as unknown as net.Server, 0);
    return ((server as unknown as net.Server).address() as net.AddressInfo).port;
  }

  const sshEndpoint = (port: number): ResolvedEndpoint => ({ endpoint: `ssh://isolens@127.0.0.1:${port}`, source: 'DOCKER_HOST', tls: null, contextName: null });

  it('describes the engine through docker system dial-stdio when the host key is known', async () => {
    const port = await sshEngine();
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const connection = openConnection(sshEndpoint(port), { knownHostsFiles: [knownHosts] });
    const info = await describeEngine(connection, THIS_HOST).finally(() => process.off('warning', onWarning));
    expect(info.version).toBe('20.10.24+dfsg1');
    // docker-modem's "ssh:HOST:PORT/path" address would print Node's DEP0170 on stderr for every request.
    expect(warnings.map((warning) => (warning as Error & { code?: string }).code)).not.toContain('DEP0170');
    expect(info.local).toBe(false);
    expect(commands).toContain('docker system dial-stdio');
  });

  it('refuses a host whose key is not in known_hosts, saying how to record it', async () => {
    const port = await sshEngine();
    const connection = openConnection(sshEndpoint(port), { knownHostsFiles: [join(dir, 'none')] });
    const error = await describeEngine(connection, THIS_HOST).catch((e: Error) => e);
    expect(error).toBeInstanceOf(EngineUnreachableError);
    expect((error as Error).message).toBe(`the ssh host key of 127.0.0.1 is not in ~/.ssh/known_hosts; connect once with "ssh isolens@127.0.0.1 -p ${port}" to check and record it`);
  });

  it('refuses a host whose key changed', async () => {
    const port = await sshEngine();
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${impostorPublicKey}\n`);
    const connection = openConnection(sshEndpoint(port), { knownHostsFiles: [knownHosts] });
    const error = await describeEngine(connection, THIS_HOST).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^the ssh host key of 127\.0\.0\.1 differs from the one in known_hosts: .*refusing to connect$/);
  });
});
