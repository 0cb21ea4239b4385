// The helper kernel source from an image without busybox (dash and GNU coreutils, as a Debian-based image has): the
// same facts and findings as reading this host locally, for real containers, with the many-file reads (head) and the
// namespace listing (ls -ld) in use, not their one-file fallbacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerIsolation, EngineInfo } from '../model/schema.js';
import type { ContainerEngine } from '../engine/engine.js';
import { openEngine } from '../engine/open.js';
import { startHelper } from '../engine/helper.js';
import { snapshotFromInspects } from '../collect/scan.js';
import type { InspectDocument } from '../collect/config.js';
import { assessSnapshot } from '../assess.js';
import { HelperKernelSource } from './helper-source.js';
import { LOCAL_HOST_SOURCE, type KernelSource } from './source.js';
import { recordHelperRequests, type RecordedRequests } from './fixtures/helper-requests.js';
import { ensureTestImage, removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';
import { canBuildCoreutilsImage, ensureCoreutilsImage } from '../../e2e/harness/coreutils-image.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const isRoot = process.getuid?.() === 0;
const PREFIX = 'isolens-int-helperimg-';
const client = testClient();

function facts(doc: ContainerIsolation) {
  const { capabilities, cgroup, namespaces, mounts, user, seccomp, sources, gaps, readOnlyRootfs, noNewPrivileges, score } = doc;
  return { capabilities, cgroup, namespaces, mounts, user, seccomp, sources, gaps, readOnlyRootfs, noNewPrivileges, score, findings: doc.findings.map((f) => `${f.ruleId}:${f.severity}`) };
}

// Root: the local reading it is compared with needs it. The tools come from this machine (Debian here and in CI).
describe.skipIf(noEngine || !isRoot || !canBuildCoreutilsImage())('the helper from a dash + GNU coreutils image', () => {
  let adapter: ContainerEngine;
  let engine: EngineInfo;
  let image = '';
  const inspects: InspectDocument[] = [];
  const scans: Record<'local' | 'helper', ContainerIsolation[]> = { local: [], helper: [] };
  let sent: RecordedRequests | undefined;
  let reader = '';

  async function scan(source: KernelSource): Promise<ContainerIsolation[]> {
    return assessSnapshot(await snapshotFromInspects(inspects, engine, { source })).containers;
  }

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    await ensureTestImage(client);
    image = await ensureCoreutilsImage(client);
    const variants: Record<string, Parameters<typeof startContainer>[1]> = {
      default: {},
      limited: { HostConfig: { Memory: 48 << 20, NanoCpus: 5e8, PidsLimit: 25, CapDrop: ['ALL'], ReadonlyRootfs: true } },
      'host-pid': { HostConfig: { PidMode: 'host', NetworkMode: 'host' } },
    };
    ({ adapter, engine } = await openEngine({}));
    for (const [name, options] of Object.entries(variants)) {
      const started = await startContainer(`${PREFIX}${name}`, options, client);
      const inspected = await adapter.inspect(started.id);
      if (!inspected.ok) throw new Error(`${name} could not be inspected`);
      inspects.push(inspected.value);
    }
    scans.local = await scan(LOCAL_HOST_SOURCE);
    const connection = await startHelper(adapter, engine, { image });
    sent = recordHelperRequests(connection.input);
    const helper = new HelperKernelSource(connection, { detail: 'test' });
    try {
      scans.helper = await scan(helper);
      // The process that reads a file is the image's head: /proc/self is the reader.
      const exe = await helper.readLink('/proc/self/exe');
      reader = exe.ok ? exe.value : exe.message;
    } finally {
      await helper.close();
    }
  }, 120_000);

  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
  });

  it('runs the image\'s own tools: GNU coreutils under dash, no busybox', () => {
    expect(image).toMatch(/^isolens-test\/coreutils-dash:[0-9a-f]{12}$/);
    expect(reader).toBe('/usr/bin/readlink');
    // Text reads went as many-file reads and namespace links as one listing.
    expect(sent?.text()).toMatch(/^g [0-9a-f]{32} /m);
    expect(sent?.text()).toMatch(/^j [0-9a-f]{32} /m);
  });

  it('gives the same facts and findings as reading this host locally, from the kernel, with no gaps', () => {
    expect(scans.helper).toHaveLength(inspects.length);
    const local = new Map(scans.local.map((doc) => [doc.id, facts(doc)]));
    for (const doc of scans.helper) {
      expect(doc.gaps, doc.name).toEqual([]);
      expect(doc.sources.capabilities, doc.name).toBe('kernel');
      expect(doc.namespaces.net.source, doc.name).toBe('kernel');
      expect(facts(doc), doc.name).toEqual(local.get(doc.id));
    }
    expect(scans.helper.find((doc) => doc.name === `${PREFIX}host-pid`)!.namespaces.pid.sharedWithHost).toBe(true);
    expect(scans.helper.find((doc) => doc.name === `${PREFIX}limited`)!.cgroup).toMatchObject({ memoryLimitBytes: 48 << 20, pidsLimit: 25, cpuQuotaCores: 0.5 });
  });
});
