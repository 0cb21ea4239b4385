// What "shared with the host" is compared against: the namespaces (and capability bounding set) of a process known to
// live in the engine host's own namespaces. One module, used by the scan, the helper source and the exporter's image.
import { decodeCapabilityMask } from '../model/capabilities.js';
import type { NamespaceKind } from '../model/schema.js';
import type { ReadResult } from './read.js';
import { readNamespaces } from './namespaces.js';
import { parseStatus } from './status.js';
import { processOf, type KernelSource } from './source.js';

/**
 * Which process stands for the host:
 * - `reader`: the reading process itself (/proc/self). Right when Isolens runs on the engine's host, outside any
 *   container, which is what a local source means.
 * - `container-parent`: the parent of each container's main process, i.e. the runtime shim (containerd-shim for
 *   Docker, conmon for Podman). The engine starts it in its own namespaces before the runtime creates the container's,
 *   so it is the engine host's reference even when the reader sits in a container (the helper, the exporter image) whose
 *   own namespaces are not the host's and where /proc/1/ns may be unreadable.
 */
export type HostReferencePolicy = 'reader' | 'container-parent';

export interface HostReference {
  /** The process read, e.g. "self" or "1234 (containerd-shim)", for messages. */
  process: string;
  namespaces: Record<NamespaceKind, ReadResult<number>>;
  /** The reference's capability bounding set: what the engine could grant at most; null when unreadable. */
  bounding: string[] | null;
}

async function referenceOf(source: KernelSource, pid: number | 'self', label: string): Promise<HostReference> {
  const process = processOf(source, pid);
  const [namespaces, status] = await Promise.all([readNamespaces(process), process.readText('status')]);
  let bounding: string[] | null = null;
  if (status.ok) {
    try {
      bounding = decodeCapabilityMask(parseStatus(status.value).capBounding);
    } catch {
      bounding = null;
    }
  }
  return { process: label, namespaces, bounding };
}

/** The reader's own namespaces: the reference for a local source. Read once per scan. */
export function readReaderReference(source: KernelSource): Promise<HostReference> {
  return referenceOf(source, 'self', 'self');
}

/**
 * The runtime shim's namespaces: the parent of a container's main process. `parentPid` comes from the container
 * process's own /proc/PID/status (PPid), read in the same view. A parent of 0 means the process is the root of the
 * reader's PID namespace, which happens only when the reader is inside the container's PID namespace: no reference.
 */
export async function readParentReference(source: KernelSource, parentPid: number, parentName?: string): Promise<HostReference | null> {
  if (parentPid <= 0) return null;
  return referenceOf(source, parentPid, parentName ? `${parentPid} (${parentName})` : String(parentPid));
}

/** A cache of parent references for one scan: containers of one pod (or one shim) share their parent. */
export class ParentReferences {
  private readonly cache = new Map<number, Promise<HostReference | null>>();

  constructor(private readonly source: KernelSource) {}

  get(parentPid: number): Promise<HostReference | null> {
    let reference = this.cache.get(parentPid);
    if (!reference) {
      reference = this.source
        .readText(processOf(this.source, parentPid).path('comm'))
        .then((comm) => readParentReference(this.source, parentPid, comm.ok ? comm.value.trim() : undefined));
      this.cache.set(parentPid, reference);
    }
    return reference;
  }
}
