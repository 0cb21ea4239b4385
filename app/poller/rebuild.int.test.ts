// Incremental rebuilds on a real engine: unchanged containers are not collected again, a run-time change is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineInfo } from '../model/schema.js';
import type { InspectDocument } from '../collect/config.js';
import { inspectRunning } from '../collect/scan.js';
import { openEngine } from '../engine/open.js';
import { LOCAL_HOST_SOURCE } from '../kernel/source.js';
import { IncrementalRebuilder } from './rebuild.js';
import { execIn, removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

const PREFIX = 'isolens-int-rebuild-';
const client = testClient();
let engine: EngineInfo;
let mounter: StartedContainer;
let inspects: InspectDocument[];

describe('IncrementalRebuilder', () => {
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    await startContainer(`${PREFIX}quiet`);
    mounter = await startContainer(`${PREFIX}mounter`, { HostConfig: { CapAdd: ['SYS_ADMIN'], SecurityOpt: ['apparmor=unconfined'] } });
    const opened = await openEngine({});
    engine = opened.engine;
    inspects = (await inspectRunning(opened.adapter)).inspects.filter((i) => i.Name.startsWith(`/${PREFIX}`));
  });
  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
  });

  it('collects everything first, nothing when nothing changed, and only the container whose mounts changed', async () => {
    const rebuilder = new IncrementalRebuilder(LOCAL_HOST_SOURCE, {}, 100);
    const first = await rebuilder.rebuild(inspects, engine);
    expect(rebuilder.lastCollected).toBe(2);
    const second = await rebuilder.rebuild(inspects, engine);
    expect(rebuilder.lastCollected).toBe(0);
    expect(second.containers).toEqual(first.containers);
    expect(second.host).toEqual(first.host);

    // A mount made inside the running container: no engine event, only the kernel knows.
    const mounted = await execIn(mounter.id, ['sh', '-c', 'mkdir -p /isolens-mnt && mount -t tmpfs none /isolens-mnt']);
    expect(mounted.exitCode, mounted.stderr).toBe(0);
    await rebuilder.rebuild(inspects, engine);
    expect(rebuilder.lastCollected).toBe(1);

    // A re-listed inspect document with the same content is not a change; one with different content is.
    const relisted = inspects.map((i) => structuredClone(i));
    await rebuilder.rebuild(relisted, engine);
    expect(rebuilder.lastCollected).toBe(0);
    // (the session never mutates a document: a refresh brings a new one)
    const updated = relisted.map((i) => structuredClone(i));
    updated[0]!.HostConfig.ReadonlyRootfs = !updated[0]!.HostConfig.ReadonlyRootfs;
    await rebuilder.rebuild(updated, engine);
    expect(rebuilder.lastCollected).toBe(1);
  });

  it('is full every n-th time and after a reconnect (a new engine description)', async () => {
    const rebuilder = new IncrementalRebuilder(LOCAL_HOST_SOURCE, {}, 2);
    await rebuilder.rebuild(inspects, engine);
    await rebuilder.rebuild(inspects, engine);
    expect(rebuilder.lastCollected).toBe(0);
    await rebuilder.rebuild(inspects, engine);
    expect(rebuilder.lastCollected).toBe(2);
    await rebuilder.rebuild(inspects, { ...engine });
    expect(rebuilder.lastCollected).toBe(2);
  });
});
