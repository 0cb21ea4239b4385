// The engine harness shared by integration and e2e tests: a real engine, a test image, labelled containers that are always removed.
import Dockerode from 'dockerode';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

/** Every container a test creates carries this label; cleanup removes by it. */
export const TEST_LABEL = 'io.isolens.owner';
export const TEST_LABEL_VALUE = 'test';
export const TEST_IMAGE = 'isolens-test/busybox:latest';
/** Names of containers made by integration and e2e tests start with this; leftovers of a crashed run are removed by it. */
export const TEST_NAME_PREFIX = 'isolens-';

export function testClient(): Dockerode {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return new Dockerode({ socketPath: host.slice('unix://'.length) });
  return new Dockerode({ socketPath: '/var/run/docker.sock' });
}

export async function engineAnswers(client = testClient()): Promise<boolean> {
  try {
    await client.ping();
    return true;
  } catch {
    return false;
  }
}

/**
 * The test image: a local busybox image. Built FROM scratch with the host's static busybox when no registry is
 * reachable (this project's CI), otherwise pulled from busybox:latest and tagged.
 */
export async function ensureTestImage(client = testClient()): Promise<void> {
  try {
    await client.getImage(TEST_IMAGE).inspect();
    return;
  } catch {
    /* not there yet */
  }
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (busybox) {
    const context = mkdtempSync(join(tmpdir(), 'isolens-image-'));
    try {
      copyFileSync(busybox, join(context, 'busybox'));
      writeFileSync(
        join(context, 'Dockerfile'),
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\nCMD ["sh"]\n',
      );
      const stream = await client.buildImage({ context, src: ['Dockerfile', 'busybox'] }, { t: TEST_IMAGE, rm: true });
      await followProgress(client, stream);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  } else {
    const stream = await client.pull('busybox:latest');
    await followProgress(client, stream);
    await client.getImage('busybox:latest').tag({ repo: 'isolens-test/busybox', tag: 'latest' });
  }
  await client.getImage(TEST_IMAGE).inspect();
}

function followProgress(client: Dockerode, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    client.modem.followProgress(
      stream,
      (error: Error | null, output: Array<{ error?: string }>) => {
        const failed = output?.find((o) => o.error);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.error));
        else resolve();
      },
    );
  });
}

export interface StartedContainer {
  id: string;
  name: string;
  pid: number;
}

/**
 * Start a labelled test container running `sleep` (or `cmd`) with the given create options. `owner` is the label's value:
 * "test", or "bench" for a benchmark's (bench/containers.ts), which the tests' cleanup leaves alone.
 */
export async function startContainer(
  name: string,
  options: Partial<Dockerode.ContainerCreateOptions> & { HostConfig?: Dockerode.HostConfig } = {},
  client = testClient(),
  owner = TEST_LABEL_VALUE,
): Promise<StartedContainer> {
  const container = await client.createContainer({
    Image: TEST_IMAGE,
    Cmd: ['sleep', '3600'],
    ...options,
    name,
    Labels: { ...(options.Labels ?? {}), [TEST_LABEL]: owner },
    HostConfig: { ...(options.HostConfig ?? {}) },
  });
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  }
  const info = await container.inspect();
  return { id: info.Id, name, pid: info.State.Pid };
}

/** Remove the containers carrying the test label whose name starts with the prefix (and, if given, older than that). */
export async function removeTestContainers(client = testClient(), namePrefix?: string, olderThanSeconds?: number): Promise<number> {
  const list = await client.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${TEST_LABEL_VALUE}`] } });
  const now = Date.now() / 1000;
  const mine = list.filter(
    (c) =>
      (!namePrefix || c.Names.some((n) => n.replace(/^\//, '').startsWith(namePrefix))) &&
      (olderThanSeconds === undefined || now - c.Created > olderThanSeconds),
  );
  // A few at a time: 500 force-removals at once left dockerd 20.10 deadlocked (every later call hung) after a bench run.
  let next = 0;
  const remover = async () => {
    while (next < mine.length) await client.getContainer(mine[next++]!.Id).remove({ force: true }).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: Math.min(16, mine.length) }, remover));
  return mine.length;
}

/** Run a command inside a container and return its stdout (demultiplexed), stderr and exit code. */
export async function execIn(
  id: string,
  cmd: string[],
  client = testClient(),
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const exec = await client.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const out = new PassThrough().on('data', (b: Buffer) => stdout.push(b));
  const err = new PassThrough().on('data', (b: Buffer) => stderr.push(b));
  await new Promise<void>((resolve, reject) => {
    client.modem.demuxStream(stream, out, err);
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const result = await exec.inspect();
  return {
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    exitCode: result.ExitCode ?? -1,
  };
}

/** A host directory made a shared mount point, so a container can bind it with rshared propagation (needs root). */
export function makeSharedMount(dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['--bind', dir, dir]);
  execFileSync('mount', ['--make-shared', dir]);
}

/** Undo makeSharedMount; harmless when it was never made. */
export function removeSharedMount(dir: string): void {
  try {
    execFileSync('umount', [dir]);
  } catch {
    /* not mounted */
  }
  rmSync(dir, { recursive: true, force: true });
}
