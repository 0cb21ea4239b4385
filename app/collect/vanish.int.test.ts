// A container that exits or is removed while Isolens reads it: its /proc and cgroup files really vanish between two
// reads (the container is removed at a chosen read, then the reads go on). Every outcome is a document with gaps or a
// skipped sample, never an exception.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerIsolation } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import type { ContainerEngine } from '../engine/engine.js';
import { LOCAL_HOST_SOURCE, type KernelSource } from '../kernel/source.js';
import { StatsSampler } from '../poller/stats.js';
import { collectContainer, collectSnapshot } from './scan.js';
import type { InspectDocument } from './config.js';
import { ensureTestImage, removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-vanish-';
const client = testClient();
const VANISHED = /exited|vanished|no longer exists/;

/** Remove the container (SIGKILL, as a crash would) and wait until its process is gone from /proc. */
async function removeAndWait(container: StartedContainer): Promise<void> {
  await client.getContainer(container.id).remove({ force: true });
  const deadline = Date.now() + 10_000;
  while (existsSync(`/proc/${container.pid}`)) {
    if (Date.now() > deadline) throw new Error(`process ${container.pid} still exists 10 s after its container was removed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The host's own files, except that before read number `at` + 1 the container is removed for real: the reads before
 * see it, the reads after see what a vanished process leaves. No sync or kept-descriptor paths, so every read counts.
 */
function removingSource(container: StartedContainer | null, at: number): KernelSource & { reads: string[] } {
  const base = LOCAL_HOST_SOURCE;
  const reads: string[] = [];
  let removal: Promise<void> | null = null;
  const before = async (path: string) => {
    reads.push(path);
    if (container && reads.length === at + 1) removal ??= removeAndWait(container);
    if (removal) await removal;
  };
  return {
    reads,
    roots: base.roots,
    description: base.description,
    hostReference: base.hostReference,
    readText: async (path) => (await before(path), base.readText(path)),
    readLink: async (path) => (await before(path), base.readLink(path)),
    listDirectory: async (path) => (await before(path), base.listDirectory(path)),
    exists: async (path) => (await before(path), base.exists(path)),
    readMany: async (requests) => {
      for (const request of requests) await before(request.path);
      return base.readMany(requests);
    },
  };
}

describe.skipIf(noEngine)('a container that vanishes while it is read', () => {
  let adapter: ContainerEngine;
  let engine: Awaited<ReturnType<typeof openEngine>>['engine'];
  let totalReads = 0;
  /** The gaps a collection has here anyway (e.g. no LSM attribute on this kernel), to tell them from the removal's. */
  let baseline: string[] = [];

  const startOne = async (name: string) => {
    const container = await startContainer(`${PREFIX}${name}`, { HostConfig: { PidsLimit: 64, Memory: 64 * 1024 * 1024 } }, client);
    const inspect = await adapter.inspect(container.id);
    if (!inspect.ok) throw new Error(`inspect failed: ${inspect.reason}`);
    return { container, inspect: inspect.value as InspectDocument };
  };

  beforeAll(async () => {
    await ensureTestImage(client);
    await removeTestContainers(client, PREFIX);
    ({ adapter, engine } = await openEngine({}));
    // How many reads a whole collection makes, so the removal can land early, midway and late.
    const { container, inspect } = await startOne('count');
    const counting = removingSource(null, 0);
    baseline = (await collectContainer(inspect, engine, { source: counting })).gaps.map((gap) => gap.reason.replace(/\d+/g, 'N'));
    totalReads = counting.reads.length;
    await removeAndWait(container);
  }, 60_000);

  afterAll(() => removeTestContainers(client, PREFIX));

  it('collecting: removed before the 1st, 2nd, a quarter, half and the last read, always a valid document', { timeout: 120_000 }, async () => {
    expect(totalReads).toBeGreaterThan(10);
    const points = [...new Set([0, 1, Math.floor(totalReads / 4), Math.floor(totalReads / 2), totalReads - 1])];
    for (const at of points) {
      const { container, inspect } = await startOne(`at-${at}`);
      const source = removingSource(container, at);
      const doc = await collectContainer(inspect, engine, { source });
      expect(() => ContainerIsolation.parse(doc)).not.toThrow();
      expect(existsSync(`/proc/${container.pid}`)).toBe(false);
      const vanished = doc.gaps.filter((gap) => VANISHED.test(gap.reason));
      // Removed before the process files were read: the kernel facts are gaps that say the process went away.
      if (at <= 1) {
        expect(vanished.length, JSON.stringify(doc.gaps)).toBeGreaterThan(0);
        expect(doc.sources.capabilities).not.toBe('kernel');
      }
      // Whatever the removal made unreadable says the container went away: never "not on this host" or an errno dump.
      const fromRemoval = doc.gaps.filter((gap) => !baseline.includes(gap.reason.replace(/\d+/g, 'N')));
      if (at < totalReads - 1) expect(fromRemoval.length).toBeGreaterThan(0);
      for (const gap of fromRemoval) expect(gap.reason, `${at}/${totalReads}: ${gap.fact}`).toMatch(VANISHED);
    }
  });

  it('a scan whose container is removed between the listing and its inspect: a gap for it, the others scanned', { timeout: 60_000 }, async () => {
    const keep = await startOne('keep');
    const doomed = await startOne('doomed');
    const removing: ContainerEngine = Object.create(adapter, {
      listRunning: {
        value: async () => {
          const ids = await adapter.listRunning();
          await removeAndWait(doomed.container);
          return ids;
        },
      },
    });
    const snapshot = await collectSnapshot(removing, engine);
    expect(snapshot.containers.map((c) => c.id)).toContain(keep.container.id);
    expect(snapshot.containers.map((c) => c.id)).not.toContain(doomed.container.id);
    expect(snapshot.gaps).toContainEqual({ fact: `containers[${doomed.container.id.slice(0, 12)}]`, reason: 'the container exited or was removed during the scan' });
  });

  it('live stats: a container removed between two samples is skipped, with kept descriptors and without', { timeout: 60_000 }, async () => {
    const batched = removingSource(null, 0);
    for (const source of [LOCAL_HOST_SOURCE, batched]) {
      const { container } = await startOne(`stats-${source === batched ? 'batched' : 'sync'}`);
      const sampler = new StatsSampler(source);
      const target = [{ id: container.id, pid: container.pid }];
      expect((await sampler.sample(target)).map((s) => s.id)).toEqual([container.id]);
      await removeAndWait(container);
      // Same target, as the poller would still have it until the engine's event arrives.
      await expect(sampler.sample(target)).resolves.toEqual([]);
      await expect(sampler.sample(target)).resolves.toEqual([]);
      sampler.close();
    }
  });
});
