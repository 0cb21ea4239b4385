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

  it('collects in slices between turns of the event loop, to the same snapshot as in one go', async () => {
    const whole = await new IncrementalRebuilder(LOCAL_HOST_SOURCE, {}, 100).rebuild(inspects, engine);
    const slicer = new IncrementalRebuilder(LOCAL_HOST_SOURCE, {}, 100, 1);
    const sliced = await slicer.rebuild(inspects, engine);
    expect(slicer.lastCollected).toBe(2);
    expect(sliced.containers.map((c) => c.name)).toEqual(whole.containers.map((c) => c.name));
    expect(sliced.containers).toEqual(whole.containers);
    expect(sliced.host).toEqual(whole.host);
    expect(sliced.engine).toEqual(whole.engine);
    // Probed in slices too: nothing changed, nothing collected.
    await slicer.rebuild(inspects, engine);
    expect(slicer.lastCollected).toBe(0);
    // A full rebuild that collects the same again hands back the very same objects: subscribers have nothing to redo.
    const again = await slicer.rebuild(inspects, { ...engine });
    expect(slicer.lastCollected).toBe(2);
    again.containers.forEach((container, index) => expect(container).toBe(sliced.containers[index]));
  });

  it('after an engine event probes only the containers whose document changed, and counts no such rebuild towards the full one', async () => {
    const rebuilder = new IncrementalRebuilder(LOCAL_HOST_SOURCE, {}, 2);
    await rebuilder.rebuild(inspects, engine);
    // A mount no event announces: an event-driven rebuild does not look, the next refresh does.
    const mounted = await execIn(mounter.id, ['sh', '-c', 'mkdir -p /isolens-mnt2 && mount -t tmpfs none /isolens-mnt2']);
    expect(mounted.exitCode, mounted.stderr).toBe(0);
    await rebuilder.rebuild(inspects, engine, { probe: false });
    expect(rebuilder.lastCollected).toBe(0);
    await rebuilder.rebuild(inspects, engine, { probe: false });
    expect(rebuilder.lastCollected).toBe(0);
    // The quiet one's document changes (the mounter's would be probed, and so its mount found, with it).
    const changed = inspects.map((i) => structuredClone(i));
    const quiet = changed.find((i) => i.Name === `/${PREFIX}quiet`)!;
    quiet.HostConfig.ReadonlyRootfs = !quiet.HostConfig.ReadonlyRootfs;
    await rebuilder.rebuild(changed, engine, { probe: false });
    expect(rebuilder.lastCollected).toBe(1);
    // The second probing rebuild: not full (the event-driven ones did not count), and it finds the mount.
    await rebuilder.rebuild(changed, engine);
    expect(rebuilder.lastCollected).toBe(1);
  });
});
