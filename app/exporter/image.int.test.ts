// The Dockerfile's image, built here from a locally assembled Node 22 base (no registry), run against the real engine
// as the Dockerfile says to run it: its facts (`scan --json`) and metrics equal those of Isolens run on the host.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Snapshot } from '../model/schema.js';
import { run } from '../cli/main.js';
import { removeTestContainers, startContainer, testClient, TEST_LABEL, TEST_LABEL_VALUE, type StartedContainer } from '../../e2e/harness/engine.js';
import { freePort } from '../../e2e/harness/ports.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-image-';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BASE_IMAGE = 'isolens-test/node:22';
const IMAGE = 'isolens-test/isolens:latest';
const client = testClient();
const engineSocket = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';

function files(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(root, path) : [relative(root, path)];
  });
}

async function build(context: string, tag: string, buildargs: Record<string, string> = {}): Promise<void> {
  const stream = await client.buildImage({ context, src: files(context) }, { t: tag, rm: true, forcerm: true, buildargs });
  await new Promise<void>((resolve, reject) => {
    client.modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
      const failed = output?.find((o) => o.error);
      if (error || failed) reject(error ?? new Error(failed!.error));
      else resolve();
    });
  });
}

/**
 * A Node 22 base from this machine: the running node binary and the shared libraries ldd names, FROM scratch. It has
 * no shell and no npm, which is why the Dockerfile's runtime stage uses no RUN.
 */
async function ensureBaseImage(): Promise<void> {
  const context = mkdtempSync(join(tmpdir(), 'isolens-node-base-'));
  try {
    const rootfs = join(context, 'rootfs');
    const put = (from: string, to: string) => {
      mkdirSync(join(rootfs, dirname(to)), { recursive: true });
      copyFileSync(from, join(rootfs, to));
    };
    put(process.execPath, '/usr/local/bin/node');
    for (const line of execFileSync('ldd', [process.execPath], { encoding: 'utf8' }).split('\n')) {
      const lib = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
      if (lib) put(lib, lib);
    }
    mkdirSync(join(rootfs, 'tmp'), { recursive: true });
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/nonexistent\n');
    writeFileSync(join(context, 'Dockerfile'), `FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin\nLABEL ${TEST_LABEL}=${TEST_LABEL_VALUE}\nCMD ["node"]\n`);
    await build(context, BASE_IMAGE);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/**
 * The shipped Dockerfile with its build stage (npm ci: needs the registry) replaced by the same artifacts built on
 * this machine (dist/ from `npm run build`, production node_modules); the runtime stage is built verbatim.
 */
async function buildIsolensImage(): Promise<void> {
  if (!existsSync(join(REPO, 'dist/app/cli/bin.js')) || !existsSync(join(REPO, 'dist/renderer/index.html'))) {
    execFileSync('npm', ['run', '-s', 'build:app'], { cwd: REPO, stdio: 'inherit' });
    execFileSync('npm', ['run', '-s', 'build:renderer'], { cwd: REPO, stdio: 'inherit' });
  }
  const shipped = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const stages = shipped.split(/^(?=FROM )/m);
  const buildIndex = stages.findIndex((s) => /^FROM \S+ AS build\b/.test(s));
  expect(buildIndex, 'the Dockerfile has a build stage').toBeGreaterThan(-1);
  stages[buildIndex] = `FROM scratch AS build\nLABEL ${TEST_LABEL}=${TEST_LABEL_VALUE}\nCOPY src/ /src/\n\n`;
  const context = mkdtempSync(join(tmpdir(), 'isolens-image-'));
  try {
    const src = join(context, 'src');
    for (const part of ['package.json', 'bin', 'assets', 'dist']) cpSync(join(REPO, part), join(src, part), { recursive: true });
    // Production dependencies only, as `npm prune --omit=dev` leaves them.
    const production = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO, encoding: 'utf8' })
      .split('\n')
      .filter((p) => p.startsWith(join(REPO, 'node_modules') + '/'));
    for (const path of production) cpSync(path, join(src, relative(REPO, path)), { recursive: true, dereference: true });
    writeFileSync(join(context, 'Dockerfile'), stages.join(''));
    await build(context, IMAGE, { NODE_IMAGE: BASE_IMAGE });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** How the Dockerfile's header says to run the image (and deploy/compose.yml does). */
function runOptions(name: string, cmd: string[]): Dockerode.ContainerCreateOptions {
  return {
    name,
    Image: IMAGE,
    Cmd: cmd,
    Labels: { [TEST_LABEL]: TEST_LABEL_VALUE },
    HostConfig: {
      PidMode: 'host',
      CgroupnsMode: 'host',
      NetworkMode: 'host',
      CapDrop: ['ALL'],
      CapAdd: ['SYS_PTRACE'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Binds: [`${engineSocket}:/var/run/docker.sock`, '/sys/fs/cgroup:/sys/fs/cgroup:ro'],
    } as Dockerode.HostConfig,
  };
}

/** A container's stdout, from the engine's multiplexed log stream (8-byte frame headers, stream 1 = stdout). */
function stdoutOf(logs: Buffer): string {
  const out: Buffer[] = [];
  for (let at = 0; at + 8 <= logs.length; ) {
    const size = logs.readUInt32BE(at + 4);
    if (logs[at] === 1) out.push(logs.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}


/** Samples of the test's containers, keyed by their full series text: name{labels}. */
function containerSeries(text: string): Map<string, string> {
  const series = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('isolens_container_') || !line.includes(`name="${PREFIX}`)) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), line.slice(cut + 1));
  }
  return series;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

describe.skipIf(noEngine)('the Isolens container image', () => {
  let containers: StartedContainer[] = [];
  let hostExporter: ChildProcess | undefined;

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    containers = [
      await startContainer(`${PREFIX}default`),
      await startContainer(`${PREFIX}host-pid`, { HostConfig: { PidMode: 'host', CapAdd: ['SYS_ADMIN'] } }),
      // Shared with the host where the image's own process is not: the case /proc/self gets wrong from a container.
      await startContainer(`${PREFIX}host-ipc-uts`, { HostConfig: { IpcMode: 'host', UTSMode: 'host' } }),
      await startContainer(`${PREFIX}hardened`, {
        User: '1000:1000',
        HostConfig: { CapDrop: ['ALL'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'], Memory: 64 << 20, NanoCpus: 5e8, PidsLimit: 64 },
      }),
    ];
    try {
      await client.getImage(BASE_IMAGE).inspect();
    } catch {
      await ensureBaseImage();
    }
    await buildIsolensImage();
  }, 300_000);

  afterAll(async () => {
    if (hostExporter && hostExporter.exitCode === null) {
      const exited = new Promise((resolve) => hostExporter!.once('exit', resolve));
      hostExporter.kill('SIGTERM');
      await exited;
    }
    await removeTestContainers(client, PREFIX);
    // Earlier builds of the image and the build stage's layers: every image built here carries the test label.
    await client.pruneImages({ filters: { dangling: { true: true }, label: { [`${TEST_LABEL}=${TEST_LABEL_VALUE}`]: true } } });
  });

  it('scan --json in the image reports the same facts, findings and scores as on the host', async () => {
    let stdout = '';
    expect(await run(['scan', '--json'], { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false })).toBe(0);
    const onHost = Snapshot.parse(JSON.parse(stdout)).containers.filter((c) => c.name.startsWith(PREFIX) && !c.name.includes('-scan'));

    const scanner = await client.createContainer(runOptions(`${PREFIX}scan`, ['scan', '--json']));
    await scanner.start();
    const exit = (await scanner.wait()) as { StatusCode: number };
    const logs = (await scanner.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    expect(exit.StatusCode, logs.toString('utf8')).toBe(0);
    const inImage = Snapshot.parse(JSON.parse(stdoutOf(logs))).containers.filter((c) => c.name.startsWith(PREFIX) && !c.name.includes('-scan'));

    expect(inImage.map((c) => c.name)).toEqual(onHost.map((c) => c.name));
    expect(onHost).toHaveLength(containers.length);
    for (const [index, host] of onHost.entries()) expect(inImage[index], host.name).toEqual(host);
    // The facts are the kernel's, not the configuration's: the image really read the host.
    const ipcUts = inImage.find((c) => c.name === `${PREFIX}host-ipc-uts`)!;
    expect(ipcUts.namespaces.ipc).toMatchObject({ sharedWithHost: true, source: 'kernel' });
    expect(ipcUts.namespaces.uts).toMatchObject({ sharedWithHost: true, source: 'kernel' });
    expect(inImage.find((c) => c.name === `${PREFIX}default`)!.namespaces.ipc.sharedWithHost).toBe(false);
    expect(inImage.find((c) => c.name === `${PREFIX}host-pid`)!.namespaces.pid).toMatchObject({ sharedWithHost: true, source: 'kernel' });
  });

  it('the image\'s exporter serves the same metrics as the exporter run on the host', async () => {
    const [imagePort, hostPort] = [await freePort(), await freePort()];
    const exporter = await client.createContainer(runOptions(`${PREFIX}exporter`, ['exporter', '--listen', `127.0.0.1:${imagePort}`]));
    await exporter.start();
    hostExporter = spawn(process.execPath, ['--import', 'tsx', 'app/cli/bin.ts', 'exporter', '--listen', `127.0.0.1:${hostPort}`], { cwd: REPO, env: process.env, stdio: 'ignore' });

    // Both follow engine events; wait until both have every test container, then compare every series at once.
    const deadline = Date.now() + 60_000;
    let fromImage = new Map<string, string>();
    let fromHost = new Map<string, string>();
    while (Date.now() < deadline) {
      const read = (port: number) => scrape(`http://127.0.0.1:${port}/metrics`).then(containerSeries, () => new Map<string, string>());
      [fromImage, fromHost] = await Promise.all([read(imagePort), read(hostPort)]);
      const names = (m: Map<string, string>) => new Set([...m.keys()].filter((k) => k.startsWith('isolens_container_info')).map((k) => /name="([^"]+)"/.exec(k)![1]));
      if (names(fromImage).size === containers.length + 1 && names(fromHost).size === containers.length + 1) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // The exporter's own container holds the engine socket: both report it, and it is critical.
    const own = [...fromHost.keys()].find((k) => k.startsWith('isolens_container_engine_socket_mounted') && k.includes(`name="${PREFIX}exporter"`));
    expect(own && fromHost.get(own)).toBe('1');
    expect(fromImage.size).toBeGreaterThan(containers.length * 20);
    expect(Object.fromEntries(fromImage)).toEqual(Object.fromEntries(fromHost));
  }, 120_000);
});
