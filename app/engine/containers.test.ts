// The inspect schema on captured Docker and Podman documents, and inspect results (vanished, invalid) from an engine's answers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineResponseError } from './connect.js';
import { openConnection } from './connection.js';
import { inspectContainer, listRunningContainers } from './containers.js';
import { ContainerInspect } from './schemas.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
// docker run with --cap-add/--cap-drop, -p, -v :ro, --tmpfs, --read-only, limits, no-new-privileges, --device, a healthcheck.
const dockerInspect = fixture('docker-inspect-hardened-busybox.json');
// podman create (it cannot start containers here) with caps, --read-only and limits, through the compatible API.
const podmanInspect = fixture('podman-inspect-created-busybox.json');

describe('ContainerInspect', () => {
  it('accepts the captured Docker document and keeps the fields it does not name', () => {
    const parsed = ContainerInspect.parse(dockerInspect);
    expect(parsed.HostConfig.CapAdd).toEqual(['CAP_NET_ADMIN']);
    expect(parsed.HostConfig.CapDrop).toEqual(['CAP_MKNOD']);
    expect(parsed.HostConfig.PidsLimit).toBe(64);
    expect(parsed.HostConfig.ReadonlyRootfs).toBe(true);
    expect(parsed.HostConfig.Devices).toEqual([{ PathOnHost: '/dev/null', PathInContainer: '/dev/xnull', CgroupPermissions: 'r' }]);
    expect(parsed.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] });
    expect(parsed.Mounts?.map((mount) => [mount.Destination, mount.RW])).toEqual([['/host-tmp', false]]);
    expect(parsed.Config.Healthcheck?.Test).toEqual(['CMD-SHELL', 'true']);
    expect(parsed.State.Status).toBe('running');
    expect((parsed as Record<string, unknown>).GraphDriver).toEqual(dockerInspect.GraphDriver);
  });

  it('accepts the captured Podman document', () => {
    const parsed = ContainerInspect.parse(podmanInspect);
    expect(parsed.State).toMatchObject({ Status: 'created', Pid: 0 });
    expect(parsed.HostConfig.CapDrop).toEqual(['AUDIT_WRITE', 'MKNOD', 'NET_RAW']);
  });

  it('rejects a document without the state Isolens depends on', () => {
    const { State: _state, ...withoutState } = dockerInspect;
    expect(ContainerInspect.safeParse(withoutState).success).toBe(false);
    expect(ContainerInspect.safeParse({ ...dockerInspect, Id: '../../etc' }).success).toBe(false);
  });
});

describe('inspectContainer and listRunningContainers against an engine', () => {
  let dir: string;
  let server: http.Server;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eng-containers-'));
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function engine(routes: Record<string, { status: number; body: unknown }>, socketName = 'docker.sock') {
    const path = join(dir, socketName);
    server = http.createServer((request, response) => {
      const route = routes[(request.url ?? '').split('?')[0]!] ?? { status: 404, body: { message: 'page not found' } };
      response.writeHead(route.status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(route.body));
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return openConnection({ endpoint: `unix://${path}`, source: '--host', tls: null, contextName: null });
  }

  const id = dockerInspect.Id as string;

  it('returns the validated document', async () => {
    const client = await engine({ [`/containers/${id}/json`]: { status: 200, body: dockerInspect } });
    const result = await inspectContainer(client, id);
    expect(result.ok && result.value.Id).toBe(id);
  });

  it('a 404 is a vanished container, not an exception', async () => {
    const client = await engine({ [`/containers/${id}/json`]: { status: 404, body: { message: `No such container: ${id}` } } });
    expect(await inspectContainer(client, id)).toEqual({ ok: false, reason: 'vanished' });
  });

  it('a document missing what Isolens reads is an invalid result that says which field', async () => {
    const broken = { ...dockerInspect, HostConfig: { ...(dockerInspect.HostConfig as object), CapAdd: 'NET_ADMIN' } };
    const client = await engine({ [`/containers/${id}/json`]: { status: 200, body: broken } });
    expect(await inspectContainer(client, id)).toEqual({
      ok: false,
      reason: 'invalid',
      message: "the engine's inspect document is not as expected (HostConfig.CapAdd: Invalid input: expected array, received string)",
    });
  });

  it('an engine failing with 500 on inspect is unreachable, not vanished', async () => {
    const client = await engine({ [`/containers/${id}/json`]: { status: 500, body: { message: 'database is locked' } } });
    await expect(inspectContainer(client, id)).rejects.toThrowError(/failed with HTTP 500: database is locked/);
  });

  it('lists the running ids with each container\'s own name (not a link alias), and rejects a list that is not one', async () => {
    const listed = await engine({ '/containers/json': { status: 200, body: [{ Id: id, Names: ['/linker/alias', '/eng-x'] }] } });
    expect(await listRunningContainers(listed)).toEqual([{ id, name: 'eng-x' }]);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const broken = await engine({ '/containers/json': { status: 200, body: { message: 'not a list' } } }, 'other.sock');
    await expect(listRunningContainers(broken)).rejects.toThrowError(EngineResponseError);
  });
});
