// One pass over the engine: list, inspect, read the kernel, and join into a Snapshot of facts (findings come after).
import type Dockerode from 'dockerode';
import { SCHEMA_VERSION, type ContainerIsolation, type EngineInfo, type Gap, type NamespaceKind, type Snapshot } from '../model/schema.js';
import type { ReadResult } from '../kernel/read.js';
import { inspectContainer, listRunningContainerIds } from '../engine/containers.js';
import { describeFromConfig, type InspectDocument } from './config.js';
import {
  HOST_PATHS,
  overlayKernel,
  pidBelongsToContainer,
  readHostBounding,
  readHostNamespaces,
  readKernelFacts,
  type KernelPaths,
} from './kernel.js';

export interface CollectOptions {
  paths?: KernelPaths;
  /** Reference namespaces; read once per scan from /proc/self/ns when absent. */
  hostNamespaces?: Record<NamespaceKind, ReadResult<number>>;
  /** The host's capability bounding set; read once per scan from /proc/self/status when absent. */
  hostBounding?: string[] | null;
}

/** --privileged or --cap-add ALL. */
function requestsAllCapabilities(inspect: InspectDocument): boolean {
  const add = (inspect.HostConfig.CapAdd ?? []) as string[];
  return inspect.HostConfig.Privileged === true || add.some((name) => /^(cap_)?all$/i.test(name));
}

const ALL_KERNEL_FACTS = ['namespaces', 'capabilities', 'seccomp', 'noNewPrivileges', 'user', 'mounts', 'cgroup', 'lsm'];

/** Join one container's inspect document with what the kernel shows for its main process. */
export async function collectContainer(
  inspect: InspectDocument,
  engine: EngineInfo,
  options: CollectOptions = {},
): Promise<ContainerIsolation> {
  const paths = options.paths ?? HOST_PATHS;
  const doc = describeFromConfig(inspect, engine);
  const kernelUnavailable = (reason: string): ContainerIsolation => {
    doc.gaps.push(...ALL_KERNEL_FACTS.map((fact) => ({ fact, reason })));
    return doc;
  };
  if (!engine.local) {
    return kernelUnavailable(
      `the engine at ${engine.endpoint} runs in a VM or on another machine, so its processes are not on this host; facts come from the engine configuration. Run Isolens where the engine runs (e.g. isolens serve on that host) for kernel evidence`,
    );
  }
  if (doc.pid === null) {
    return kernelUnavailable(`the container is ${doc.state} and has no process; facts come from the engine configuration`);
  }
  const facts = await readKernelFacts(doc.pid, paths);
  if (!facts.procCgroup.ok) {
    const why =
      facts.procCgroup.reason === 'vanished' || facts.procCgroup.reason === 'missing'
        ? `the container's process ${doc.pid} exited during the scan`
        : facts.procCgroup.message;
    return kernelUnavailable(`${why}; facts come from the engine configuration`);
  }
  if (!pidBelongsToContainer(facts.procCgroup.value, inspect.Id)) {
    return kernelUnavailable(
      `process ${doc.pid} on this host is not this container's (the engine may run in a VM, e.g. Docker Desktop, or the process was replaced); facts come from the engine configuration`,
    );
  }
  const host = options.hostNamespaces ?? (await readHostNamespaces(paths));
  const hostBounding = options.hostBounding !== undefined ? options.hostBounding : await readHostBounding(paths);
  return overlayKernel(doc, facts, host, engine, { requestedAllCapabilities: requestsAllCapabilities(inspect), hostBounding });
}

export interface ScanOptions extends CollectOptions {
  /** A container name or id (prefix), as the docker CLI accepts. */
  container?: string;
  concurrency?: number;
}

/** Does `wanted` (a name, an id or an id prefix) name this container? */
export function matchesContainer(inspect: Pick<InspectDocument, 'Id' | 'Name'>, wanted: string): boolean {
  const name = inspect.Name.replace(/^\//, '');
  return name === wanted.replace(/^\//, '') || (wanted.length >= 3 && /^[a-f0-9]+$/.test(wanted) && inspect.Id.startsWith(wanted));
}

async function mapLimited<T, U>(items: readonly T[], limit: number, f: (item: T) => Promise<U>): Promise<U[]> {
  const results: U[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await f(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Inspect every running container (vanished ones become scan gaps) — the slow, engine-bound half of a scan. */
export async function inspectRunning(
  client: Dockerode,
  options: { container?: string; concurrency?: number } = {},
): Promise<{ inspects: InspectDocument[]; gaps: Gap[] }> {
  const ids = await listRunningContainerIds(client);
  const gaps: Gap[] = [];
  const results = await mapLimited(ids, options.concurrency ?? 8, (id) => inspectContainer(client, id));
  const inspects: InspectDocument[] = [];
  results.forEach((result, index) => {
    if (result.ok) inspects.push(result.value as InspectDocument);
    else if (result.reason === 'vanished') gaps.push({ fact: `containers[${ids[index]!.slice(0, 12)}]`, reason: 'the container exited or was removed during the scan' });
    else gaps.push({ fact: `containers[${ids[index]!.slice(0, 12)}]`, reason: result.message });
  });
  const wanted = options.container;
  return { inspects: wanted ? inspects.filter((inspect) => matchesContainer(inspect, wanted)) : inspects, gaps };
}

/** Build the facts document from already-fetched inspect documents: the cheap, kernel-bound half. */
export async function snapshotFromInspects(
  inspects: readonly InspectDocument[],
  engine: EngineInfo,
  options: CollectOptions & { concurrency?: number; gaps?: Gap[] } = {},
): Promise<Snapshot> {
  const paths = options.paths ?? HOST_PATHS;
  const hostNamespaces = options.hostNamespaces ?? (await readHostNamespaces(paths));
  const hostBounding = options.hostBounding !== undefined ? options.hostBounding : await readHostBounding(paths);
  const containers = await mapLimited(inspects, options.concurrency ?? 16, (inspect) =>
    collectContainer(inspect, engine, { paths, hostNamespaces, hostBounding }),
  );
  containers.sort((a, b) => a.name.localeCompare(b.name));
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    engine,
    host: { findings: [], score: null, grade: null },
    containers,
    gaps: [...(options.gaps ?? [])],
  };
}

/** A whole scan: every running container (or the one asked for), facts only. */
export async function collectSnapshot(client: Dockerode, engine: EngineInfo, options: ScanOptions = {}): Promise<Snapshot> {
  const { inspects, gaps } = await inspectRunning(client, options);
  return snapshotFromInspects(inspects, engine, { ...options, gaps });
}
