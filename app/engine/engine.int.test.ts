// The engine layer against the real engine: endpoint resolution, description, list/inspect of a live container, events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir, release } from 'node:os';
import type { EngineInfo } from '../model/schema.js';
import { describeEngine } from './connect.js';
import { openConnection, type EngineConnection } from './connection.js';
import { inspectContainer, listRunningContainers } from './containers.js';
import { resolveEndpoint } from './endpoint.js';
import { watchContainerEvents, type ContainerEvent } from './events.js';

const IMAGE = 'isolens-test/busybox:latest';
const PREFIX = `eng-int-${process.pid}-`;
const created: string[] = [];
const noEngine = process.env.ISOLENS_NO_ENGINE;

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Start a labelled test container with the docker CLI (independent of the code under test); returns its id. */
function runContainer(suffix: string): string {
  const name = `${PREFIX}${suffix}`;
  created.push(name);
  return docker('run', '-d', '--label', 'io.isolens.owner=test', '--name', name, IMAGE, 'sleep', '300');
}

describe.skipIf(Boolean(noEngine))('engine layer on the real engine', () => {
  let connection: EngineConnection;
  let engine: EngineInfo;

  beforeAll(async () => {
    // The same path the CLI takes, with this process's environment; DOCKER_HOST is honoured if the harness set one.
    const resolved = resolveEndpoint({ env: process.env, homeDir: homedir() });
    connection = openConnection(resolved);
    engine = await describeEngine(connection);
  });

  afterAll(() => {
    for (const name of created) {
      try {
        docker('rm', '-f', name);
      } catch {
        /* already gone */
      }
    }
  });

  it('describes dockerd 20.10 on this host', () => {
    expect(engine.kind).toBe('docker');
    expect(engine.apiVersion).toBe('1.41');
    expect(engine.version).toMatch(/^20\.10\./);
    expect(engine.cgroupVersion).toBe(1);
    expect(engine.securityOptions).toContain('name=seccomp,profile=default');
    expect(engine.rootless).toBe(false);
    expect(engine.userNamespaceRemap).toBe(false);
    expect(engine.local).toBe(true);
    expect(engine.kernelVersion).toBe(release());
    expect(engine.iccOnDefaultBridge).toBe(true);
    expect(engine.endpoint).toMatch(/^unix:\/\//);
    expect(engine.tls).toBe(false);
  });

  it('lists and inspects a container it started, and a removed one is vanished', async () => {
    const id = runContainer('inspect');
    expect((await listRunningContainers(connection)).map((container) => container.id)).toContain(id);

    const result = await inspectContainer(connection, id);
    if (!result.ok) throw new Error(`inspect failed: ${result.reason}`);
    expect(result.value.Id).toBe(id);
    expect(result.value.Name).toBe(`/${PREFIX}inspect`);
    expect(result.value.Config.Labels).toMatchObject({ 'io.isolens.owner': 'test' });
    expect(result.value.State.Status).toBe('running');
    expect(result.value.State.Pid).toBeGreaterThan(0);
    expect(existsSync(`/proc/${result.value.State.Pid}`)).toBe(true);

    docker('rm', '-f', id);
    expect(await inspectContainer(connection, id)).toEqual({ ok: false, reason: 'vanished' });
  });

  it('sees the start and the death of a container', async () => {
    const events: ContainerEvent[] = [];
    const closes: Array<Error | null> = [];
    const stop = watchContainerEvents(await connection.dockerode(), (event) => events.push(event), (error) => closes.push(error));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the stream subscribe before anything happens
      const before = Date.now();
      const id = runContainer('events');
      docker('stop', '-t', '1', id);
      const deadline = Date.now() + 10_000;
      while (!events.some((event) => event.id === id && event.action === 'die') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const mine = events.filter((event) => event.id === id).map((event) => event.action);
      expect(mine).toContain('start');
      expect(mine).toContain('die');
      expect(mine.indexOf('start')).toBeLessThan(mine.indexOf('die'));
      const start = events.find((event) => event.id === id && event.action === 'start')!;
      expect(start.timeMs).toBeGreaterThanOrEqual(before - 2000);
      expect(start.timeMs).toBeLessThanOrEqual(Date.now() + 2000);
      expect(closes).toEqual([]);
    } finally {
      stop();
    }
  });
});
