// Proof that the runtime shim (the parent of each container's process) is in the engine host's namespaces, so it is the
// right reference for "shared with the host" from inside a container, where /proc/self is not the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS } from '../model/schema.js';
import { readParentReference, readReaderReference, type HostReference } from './host-reference.js';
import { readStatus } from './status.js';
import { LOCAL_HOST_SOURCE, LocalKernelSource, processOf } from './source.js';
import { readNamespaces } from './namespaces.js';
import { parseInspect } from '../engine/containers.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const canReadOthers = process.getuid?.() === 0;
const PREFIX = 'isolens-int-hostref-';
const client = testClient();

describe.skipIf(noEngine || !canReadOthers)('the host reference on a real engine', () => {
  const started: Record<string, StartedContainer> = {};
  let reader: HostReference;

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    const variants = {
      default: {},
      'host-everything': { HostConfig: { NetworkMode: 'host', PidMode: 'host', IpcMode: 'host', UTSMode: 'host', CgroupnsMode: 'host' } },
      'network-none': { HostConfig: { NetworkMode: 'none' } },
    };
    for (const [name, options] of Object.entries(variants)) started[name] = await startContainer(`${PREFIX}${name}`, options as never, client);
    reader = await readReaderReference(LOCAL_HOST_SOURCE);
  });

  afterAll(() => removeTestContainers(client, PREFIX));

  async function shimOf(container: StartedContainer): Promise<HostReference> {
    const status = await readStatus(processOf(LOCAL_HOST_SOURCE, container.pid));
    expect(status.ok).toBe(true);
    return (await readParentReference(LOCAL_HOST_SOURCE, status.ok ? status.value.parentPid : 0))!;
  }

  it("every container's parent is in the same namespaces as Isolens on the host (all but mnt, which the engine may keep private)", async () => {
    for (const [name, container] of Object.entries(started)) {
      const shim = await shimOf(container);
      for (const kind of NAMESPACE_KINDS.filter((k) => k !== 'mnt')) {
        expect(shim.namespaces[kind], `${name} ${kind} (${shim.process})`).toEqual(reader.namespaces[kind]);
      }
      expect(shim.bounding).toEqual(reader.bounding);
    }
  });

  it('so a reader in its own namespaces (as the helper is) gets the same answers with the parent as reference', async () => {
    // The network-none container stands in for the helper: its own net namespace is not the host's, the shim's is.
    const helperLike = await readNamespaces(processOf(LOCAL_HOST_SOURCE, started['network-none']!.pid));
    expect(helperLike.net).not.toEqual(reader.namespaces.net);
    const hostNet = await readNamespaces(processOf(LOCAL_HOST_SOURCE, started['host-everything']!.pid));
    const shim = await shimOf(started['host-everything']!);
    expect(hostNet.net).toEqual(shim.namespaces.net);
    expect(hostNet.pid).toEqual(shim.namespaces.pid);
    expect(hostNet.net).not.toEqual(helperLike.net);
  });

  it('a local source declared to sit in a container uses the parent and agrees with the reader-based scan', async () => {
    const { collectContainer, readScanContextOf } = await import('../collect/scan.js');
    const { openEngine } = await import('../engine/open.js');
    const { engine } = await openEngine({});
    const inContainer = new LocalKernelSource({}, { hostReference: 'container-parent' });
    for (const container of Object.values(started)) {
      const inspect = parseInspect(await client.getContainer(container.id).inspect());
      const byReader = await collectContainer(inspect, engine, { source: LOCAL_HOST_SOURCE });
      const byParent = await collectContainer(inspect, engine, { source: inContainer, context: await readScanContextOf(inContainer) });
      expect(byParent.namespaces, container.name).toEqual(byReader.namespaces);
      expect(byParent.capabilities).toEqual(byReader.capabilities);
    }
  });
});
