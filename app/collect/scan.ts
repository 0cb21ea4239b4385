// One pass over the engine: list, inspect, read the kernel, and join into a Snapshot of facts (findings come after).
import type { ReadResult } from '../kernel/read.js';
import type { ContainerIsolation, EngineInfo, Gap, NamespaceKind, Snapshot } from '../model/schema.js';
import { NAMESPACE_KINDS, SCHEMA_VERSION } from '../model/vocabulary.js';
import type { ContainerEngine } from '../engine/engine.js';
import { customSeccompProfile, describeFromConfig, type InspectDocument } from './config.js';
import { computeOperations } from '../operations/catalogue.js';
import { overlayKernelOnto } from './kernel.js';
import { kernelUnreadableReason, LOCAL_HOST_SOURCE, processOf, type KernelSource } from '../kernel/source.js';
import { applyGvisor, argv0Of, collapseSandboxGaps, factsForSandbox, runtimeWithKernel } from './runtime.js';
import { processBelongsToContainer, readKernelFacts, readScanContext, type ReadKernelFactsOptions } from '../kernel/facts.js';
import { ParentReferences, readReaderReference, type HostReference } from '../kernel/host-reference.js';
import { inspectRunning, mapLimited } from './inspect.js';
import { compareText } from '../model/collation.js';

export interface CollectOptions {
  /** Where the kernel is read; the host's own /proc and /sys/fs/cgroup when absent. */
  source?: KernelSource;
  /** What the scan reads once and shares: the reader reference and the active LSMs. Read on first use when absent. */
  context?: ScanContext;
}

/** What one scan reads once for all its containers. */
export interface ScanContext {
  /** The reader's own namespaces; null when the source's reference is each container's parent (the shim). */
  reader: HostReference | null;
  parents: ParentReferences;
  facts: ReadKernelFactsOptions;
}

export async function readScanContextOf(source: KernelSource): Promise<ScanContext> {
  const [reader, facts] = await Promise.all([
    source.hostReference === 'reader' ? readReaderReference(source) : Promise.resolve(null),
    readScanContext(source),
  ]);
  return { reader, parents: new ParentReferences(source), facts };
}

/** --privileged or --cap-add ALL. */
function requestsAllCapabilities(inspect: InspectDocument): boolean {
  const add = (inspect.HostConfig.CapAdd ?? []) as string[];
  return inspect.HostConfig.Privileged === true || add.some((name) => /^(cap_)?all$/i.test(name));
}

function unknownReference(why: string): Record<NamespaceKind, ReadResult<number>> {
  const failure = { ok: false, reason: 'other', message: why } as const;
  return Object.fromEntries(NAMESPACE_KINDS.map((kind) => [kind, failure])) as Record<NamespaceKind, ReadResult<number>>;
}

const ALL_KERNEL_FACTS = ['namespaces', 'capabilities', 'seccomp', 'noNewPrivileges', 'user', 'mounts', 'cgroup', 'lsm'];

/**
 * Join one container's inspect document with what the kernel shows for its main process, then judge what an attacker
 * inside can do from those facts (operations), with the custom seccomp profile the engine reported.
 */
export async function collectContainer(
  inspect: InspectDocument,
  engine: EngineInfo,
  options: CollectOptions = {},
): Promise<ContainerIsolation> {
  const doc = await collectFacts(inspect, engine, options);
  doc.operations = computeOperations(doc, { engine, customSeccompProfile: await customSeccompProfile(inspect) });
  return doc;
}

async function collectFacts(
  inspect: InspectDocument,
  engine: EngineInfo,
  options: CollectOptions,
): Promise<ContainerIsolation> {
  const source = options.source ?? LOCAL_HOST_SOURCE;
  const doc = describeFromConfig(inspect, engine);
  const kernelUnavailable = (reason: string): ContainerIsolation => {
    doc.gaps.push(...ALL_KERNEL_FACTS.map((fact) => ({ fact, reason })));
    return doc;
  };
  const unreadable = kernelUnreadableReason(source, engine);
  if (unreadable !== null) return kernelUnavailable(unreadable);
  if (doc.pid === null) {
    return kernelUnavailable(`the container is ${doc.state} and has no process; facts come from the engine configuration`);
  }
  const context = options.context ?? (await readScanContextOf(source));
  const facts = await readKernelFacts(source, doc.pid, context.facts);
  if (!facts.procCgroup.ok) {
    const why =
      facts.procCgroup.reason === 'vanished' || facts.procCgroup.reason === 'missing'
        ? `the container's process ${doc.pid} exited during the scan`
        : facts.procCgroup.message;
    return kernelUnavailable(`${why}; facts come from the engine configuration`);
  }
  if (!(await processBelongsToContainer(source, doc.pid, inspect.Id, facts.procCgroup.value, facts.status.ok ? facts.status.value.parentPid : undefined))) {
    return kernelUnavailable(
      `process ${doc.pid} on this host is not this container's (the engine may run in a VM, e.g. Docker Desktop, or the process was replaced); facts come from the engine configuration`,
    );
  }
  // Only a runtime that is or may be a sandbox needs its process's argv[0]: runsc-sandbox, a hypervisor.
  const declared = doc.runtime!;
  const mayBeSandbox = declared.isolation !== 'shared-kernel' || declared.kind === 'other';
  const cmdline = mayBeSandbox ? await processOf(source, doc.pid).readText('cmdline') : null;
  const runtime = runtimeWithKernel(declared, facts, doc.pid, cmdline?.ok ? argv0Of(cmdline.value) : null);
  doc.runtime = runtime;
  if (runtime.sandbox) doc.sources['runtime.sandbox'] = 'kernel';
  if (runtime.isolation !== 'shared-kernel') {
    // The host kernel confines the sandbox, not the workload: the workload's facts stay the configuration's. The document
    // is this scan's own (describeFromConfig's, above): overlaid in place, not copied.
    const sandboxed = overlayKernelOnto(doc, factsForSandbox(facts, runtime), unknownReference('not used under a sandbox'), engine);
    return applyGvisor(collapseSandboxGaps(sandboxed, runtime), facts, engine);
  }
  const reference = context.reader ?? (facts.status.ok ? await context.parents.get(facts.status.value.parentPid) : null);
  const host = reference?.namespaces ?? unknownReference(facts.status.ok ? 'the parent of the container\'s process is not visible from here' : 'the container\'s /proc/PID/status could not be read');
  return overlayKernelOnto(doc, facts, host, engine, { requestedAllCapabilities: requestsAllCapabilities(inspect), hostBounding: reference?.bounding ?? null });
}

export { inspectRunning, matchesContainer } from './inspect.js';

export interface ScanOptions extends CollectOptions {
  /** A container name or id (prefix), as the docker CLI accepts. */
  container?: string;
  concurrency?: number;
}

/** Build the facts document from already-fetched inspect documents: the cheap, kernel-bound half. */
export async function snapshotFromInspects(
  inspects: readonly InspectDocument[],
  engine: EngineInfo,
  options: CollectOptions & { concurrency?: number; gaps?: Gap[] } = {},
): Promise<Snapshot> {
  const source = options.source ?? LOCAL_HOST_SOURCE;
  const context = options.context ?? (await readScanContextOf(source));
  const containers = await mapLimited(inspects, options.concurrency ?? source.concurrency ?? 16, (inspect) => collectContainer(inspect, engine, { source, context }));
  containers.sort((a, b) => compareText(a.name, b.name));
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    engine: { ...engine, kernelSource: { ...source.description } },
    host: { findings: [], score: null, grade: null },
    containers,
    gaps: [...(options.gaps ?? [])],
  };
}

/** A whole scan: every running container (or the one asked for), facts only. */
export async function collectSnapshot(adapter: ContainerEngine, engine: EngineInfo, options: ScanOptions = {}): Promise<Snapshot> {
  const { inspects, gaps } = await inspectRunning(adapter, options);
  return snapshotFromInspects(inspects, engine, { ...options, gaps });
}
