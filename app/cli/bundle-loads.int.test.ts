// The built CLI (bin/isolens.js → dist/cli) on a real engine: what `scan --json` loads, and the transports whose
// modules the bundle loads only on first use (ssh2 for ssh://, node:https for TLS) still work end to end.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Snapshot } from '../model/schema.js';
import { defaultOrderIsRoot } from '../model/collation.js';
import { removeTestContainers, startContainer, type StartedContainer } from '../../e2e/harness/engine.js';
import { dialStdioSshServer } from '../../e2e/harness/ssh.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-bundle-';
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'isolens.js');
const fixtures = join(root, 'app', 'engine', 'fixtures');
const engineSocket = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';

/**
 * What a JSON scan never needs: other report formats, history, lab, serve, the document's schemas, zod (the engine's
 * answers pass hand-written guards; the zod schemas load only for an answer a guard refuses), other transports, and
 * over a socket dockerode itself (its GETs go over node:http; the client loads for events, exec, attach and ssh://).
 */
const FORBIDDEN_SOURCES = [
  /^app\/engine\/(dockerode-client|events)\.ts$/,
  /^node_modules\/(dockerode|docker-modem|split-ca|uuid)\//,
  /^app\/report\/(html|markdown|sarif|table)\.ts$/,
  // duration.ts and paths.ts are the --retention parser and --history-db's help: the entry (what --help loads) has them.
  /^app\/history\/(?!duration\.ts$|paths\.ts$)/,
  /^app\/(lab|serve|poller|exporter)\//,
  /^app\/model\/schema\.ts$/,
  /^app\/engine\/schemas\.ts$/,
  /^app\/operations\/seccomp-profile\.ts$/,
  // Anchored: the bundle's stand-ins for these ("evaluate-on-first-use:…/tar-fs/index.js") do run, the modules must not.
  /^node_modules\/(ssh2|cpu-features|@grpc|protobufjs|ws|prom-client|yaml|bcryptjs|tar-fs|tar-stream|@balena\/dockerignore|debug|readable-stream)\//,
  /^node_modules\/zod\//,
];
// crypto: only a docker context's directory name and a hashed known_hosts entry need it. worker_threads: node:util's
// lazy members load it when all of util's properties are copied (the build gives commander a facade instead).
const FORBIDDEN_BUILTINS = ['https', 'tls', 'zlib', 'child_process', 'dgram', 'crypto', 'worker_threads'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface ScriptCoverage {
  url: string;
  functions: Array<{ functionName: string; ranges: Array<{ count: number }> }>;
}

/**
 * The source files a run evaluated, from V8's coverage of the dist/cli files it loaded: every source bundled into a
 * loaded file (its source map), less the CommonJS modules whose esbuild wrapper (a function named after the module's
 * path) never ran. So a dependency bundled next to dockerode but never required does not count.
 */
function evaluatedSources(scripts: ScriptCoverage[]): Set<string> {
  const sources = new Set<string>();
  for (const script of scripts) {
    if (!script.url.startsWith('file:') || !script.url.includes('/dist/cli/')) continue;
    const map = JSON.parse(readFileSync(`${fileURLToPath(script.url)}.map`, 'utf8')) as { sources: string[] };
    const notRun = new Set(script.functions.filter((f) => f.ranges[0]?.count === 0).map((f) => f.functionName));
    for (const source of map.sources) {
      const path = source.replace(/^(\.\.\/)+/, '');
      if (!notRun.has(path)) sources.add(path);
    }
  }
  return sources;
}

describe.skipIf(noEngine)('the built CLI on a real engine', () => {
  let dir: string;
  let container: StartedContainer;
  const servers: Array<{ close: () => unknown }> = [];

  beforeAll(async () => {
    await removeTestContainers(undefined, PREFIX);
    container = await startContainer(`${PREFIX}one`);
    dir = mkdtempSync(join(tmpdir(), 'isolens-bundle-'));
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
    await removeTestContainers(undefined, PREFIX);
  });

  it('scan --json evaluates no dockerode, other report format, history, lab, schema, zod, TLS, ssh, tar, crypto or child_process module, and builds no ICU collator', async () => {
    const coverage = join(dir, 'coverage');
    // The built-ins loaded, at exit (V8's coverage, below, lists only the scripts).
    const builtins = join(dir, 'builtins.json');
    const preload = join(dir, 'record-builtins.mjs');
    writeFileSync(
      preload,
      // …and how many ICU collators it built (each costs ~7 ms; compareText needs none for ASCII names in the root order).
      `import { writeFileSync } from 'node:fs';\nlet collators = 0;\nconst Collator = Intl.Collator;\nIntl.Collator = function (...args) { collators++; return new Collator(...args); };\nconst localeCompare = String.prototype.localeCompare;\nString.prototype.localeCompare = function (...args) { collators++; return localeCompare.apply(this, args); };\nprocess.on('exit', () => writeFileSync(${JSON.stringify(builtins)}, JSON.stringify({ collators, builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)) })));\n`,
    );
    const cacheHome = join(dir, 'cache-home');
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome, ISOLENS_DEBUG: '1' };
    const result = await runCli(['scan', '--json', '--kernel-source', 'local', '-c', container.name], { ...env, NODE_V8_COVERAGE: coverage }, ['--import', preload]);
    // The first scan of this cache directory: it ran without a cache and left one.
    expect(result.stderr).toMatch(/^isolens: no code cache \(ENOENT\)\nisolens: code cache written \(\d+ bytes\)\n$/);
    expect(result.code).toBe(0);
    expect(Snapshot.parse(JSON.parse(result.stdout)).containers.map((c) => c.name)).toEqual([container.name]);
    const scripts = readdirSync(coverage).flatMap((file) => (JSON.parse(readFileSync(join(coverage, file), 'utf8')) as { result: ScriptCoverage[] }).result);
    const evaluated = [...evaluatedSources(scripts)];
    // The scan did evaluate the engine connection, the collector and the JSON renderer (so the lists below are meaningful).
    expect(evaluated).toEqual(expect.arrayContaining(['app/engine/connection.ts', 'app/collect/scan.ts', 'app/report/json.ts']));
    expect(evaluated.filter((source) => FORBIDDEN_SOURCES.some((pattern) => pattern.test(source)))).toEqual([]);
    // The scan ran from its classic script (whose code cache is V8's) through the CommonJS launcher (bin/package.json):
    // no ES module of the bundle.
    const ours = scripts
      .map((script) => script.url)
      .filter((url) => url.startsWith('file:') && (url.includes('/dist/cli/') || url.endsWith('/bin/isolens.js')))
      .map((url) => url.slice(url.lastIndexOf('/') + 1));
    expect(ours.sort()).toEqual(['isolens.js', 'scan-launch.cjs', 'scan.cjs']);
    // Nothing came from node_modules at run time (the bundle's stand-ins load ssh2 and grpc from there only when used).
    expect(scripts.map((script) => script.url).filter((url) => url.includes('/node_modules/'))).toEqual([]);
    const loaded = JSON.parse(readFileSync(builtins, 'utf8')) as { collators: number; builtins: string[] };
    expect(loaded.builtins.filter((name) => FORBIDDEN_BUILTINS.includes(name))).toEqual([]);
    if (defaultOrderIsRoot(process.env, { electron: process.versions.electron, execArgv: [] })) expect(loaded.collators).toBe(0);
    // The next scan (without coverage, which V8 would count as other flags) compiles from the cache the first one left.
    const again = await runCli(['scan', '--json', '--kernel-source', 'local', '-c', container.name], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('isolens: code cache used\n');
  });

  it('over ssh:// it loads ssh2 when it dials, and scans through `docker system dial-stdio`', async () => {
    const hostKey = readFileSync(join(fixtures, 'ssh', 'host_ed25519'));
    const hostPublicKey = readFileSync(join(fixtures, 'ssh', 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const commands: string[] = [];
    // An ssh server that runs `docker system dial-stdio` as an engine host does: the channel is joined to the engine socket.
    const server = dialStdioSshServer(hostKey, engineSocket, commands);
    servers.push(server);
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    const home = join(dir, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${hostPublicKey}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.SSH_AUTH_SOCK;
    const result = await runCli(['scan', '--json', '--kernel-source', 'local', '--host', `ssh://isolens@127.0.0.1:${port}`, '-c', container.name], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = Snapshot.parse(JSON.parse(result.stdout));
    expect(doc.engine.endpoint).toBe(`ssh://isolens@127.0.0.1:${port}`);
    expect(doc.containers.map((c) => c.name)).toEqual([container.name]);
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.every((command) => command === 'docker system dial-stdio')).toBe(true);
  });

  it('over tcp:// with TLS it loads node:https when it connects, and scans', async () => {
    // A TLS terminator in front of the engine socket, with the fixtures' self-signed certificate (DOCKER_TLS: no verify).
    const server = tls.createServer(
      { cert: readFileSync(join(fixtures, 'tls', 'server-self-signed-cert.pem')), key: readFileSync(join(fixtures, 'tls', 'server-self-signed-key.pem')) },
      (socket) => {
        const engine = net.connect(engineSocket);
        socket.pipe(engine).pipe(socket);
        socket.on('error', () => engine.destroy());
        engine.on('error', () => socket.destroy());
      },
    );
    servers.push(server);
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    const certs = join(dir, 'no-certs');
    mkdirSync(certs, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS: '1', DOCKER_CERT_PATH: certs };
    delete env.DOCKER_TLS_VERIFY;
    const result = await runCli(['scan', '--json', '--kernel-source', 'local', '-c', container.name], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = Snapshot.parse(JSON.parse(result.stdout));
    expect(doc.engine.endpoint).toBe(`tcp://127.0.0.1:${port}`);
    expect(doc.engine.tls).toBe(true);
    expect(doc.containers.map((c) => c.name)).toEqual([container.name]);
  });
});
