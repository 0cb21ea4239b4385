// Everything Isolens reads from the kernel about one container process, through a KernelSource: the raw material collect/ joins.
import { decodeCapabilityMask } from '../model/capabilities.js';
import type { NamespaceKind } from '../model/schema.js';
import type { ReadResult } from './read.js';
import { parseStatus, type ProcStatus } from './status.js';
import { readNamespaces } from './namespaces.js';
import { parseMountinfo, type MountInfoEntry } from './mountinfo.js';
import { readCgroupLimits, type CgroupLimits, type SharedTexts } from './cgroup.js';
import { readActiveLsms, readLsmLabels, type ActiveLsms, type LsmLabels } from './lsm.js';
import { parseIdMap, type IdMapEntry } from './userns.js';
import { processOf, type KernelSource } from './source.js';

/** Everything read from the kernel for one PID; each part may have failed on its own. */
export interface KernelFacts {
  procCgroup: ReadResult<string>;
  status: ReadResult<ProcStatus>;
  namespaces: Record<NamespaceKind, ReadResult<number>>;
  mountinfo: ReadResult<MountInfoEntry[]>;
  cgroup: ReadResult<CgroupLimits>;
  lsm: ReadResult<LsmLabels>;
  uidMap: ReadResult<IdMapEntry[]>;
  gidMap: ReadResult<IdMapEntry[]>;
}

function map<T, U>(result: ReadResult<T>, f: (value: T) => U): ReadResult<U> {
  if (!result.ok) return result;
  try {
    return { ok: true, value: f(result.value) };
  } catch (error) {
    // Text the kernel would never write (a truncated read, a hostile fixture): a gap, not a crash of the whole scan.
    return { ok: false, reason: 'other', message: `could not be understood: ${(error as Error).message}` };
  }
}

export interface ReadKernelFactsOptions {
  /** Active LSMs, read once per scan instead of once per container. */
  activeLsms?: ActiveLsms;
  /** Ancestor cgroups' limit files, read once per scan instead of once per container (siblings share them). */
  sharedCgroupTexts?: SharedTexts;
}

/** Read every kernel source for one PID. Never throws for the normal hazards: each part carries its own failure. */
export async function readKernelFacts(source: KernelSource, pid: number, options: ReadKernelFactsOptions = {}): Promise<KernelFacts> {
  const process = processOf(source, pid);
  const [procCgroup, statusText, namespaces, mountinfoText, lsm, uidText, gidText] = await Promise.all([
    process.readText('cgroup'),
    process.readText('status'),
    readNamespaces(process),
    process.readText('mountinfo'),
    readLsmLabels(process, options.activeLsms),
    process.readText('uid_map'),
    process.readText('gid_map'),
  ]);
  const cgroup: KernelFacts['cgroup'] = procCgroup.ok ? { ok: true, value: await readCgroupLimits(procCgroup.value, source, options.sharedCgroupTexts) } : procCgroup;
  return {
    procCgroup,
    status: map(statusText, parseStatus),
    namespaces,
    mountinfo: map(mountinfoText, parseMountinfo),
    cgroup,
    lsm,
    uidMap: map(uidText, parseIdMap),
    gidMap: map(gidText, parseIdMap),
  };
}

/** What is read once per scan and shared by every container's reading. */
export async function readScanContext(source: KernelSource): Promise<ReadKernelFactsOptions> {
  return { activeLsms: await readActiveLsms(source), sharedCgroupTexts: new Map() };
}

/**
 * Does this PID belong to this container? Guards against PID reuse and against engines in a VM (Docker Desktop,
 * podman machine) whose PIDs mean something else on this host: the container id appears in its cgroup path.
 */
export function pidBelongsToContainer(procCgroupText: string, containerId: string): boolean {
  return procCgroupText.includes(containerId);
}

/**
 * The same question where the container has no cgroup of its own: rootless Podman on cgroup v1 (and `--cgroups
 * disabled`) leaves the process in the user's cgroups. Then the runtime's own monitor, the process's parent, names the
 * container in its arguments: conmon's `-c <id>`, containerd-shim's `-id <id>`, as one whole argument.
 */
export async function processBelongsToContainer(
  source: KernelSource,
  pid: number,
  containerId: string,
  procCgroupText: string,
  parentPid?: number,
): Promise<boolean> {
  if (pidBelongsToContainer(procCgroupText, containerId)) return true;
  let parent = parentPid;
  if (parent === undefined) {
    const status = await processOf(source, pid).readText('status');
    if (!status.ok) return false;
    try {
      parent = parseStatus(status.value).parentPid;
    } catch {
      return false;
    }
  }
  if (parent <= 0) return false;
  const cmdline = await processOf(source, parent).readText('cmdline');
  return cmdline.ok && cmdline.value.split('\0').includes(containerId);
}

/** The capability bounding set of a process that holds everything the host allows: no container can hold more. */
export async function readBoundingOf(source: KernelSource, pid: number | 'self'): Promise<string[] | null> {
  const status = await processOf(source, pid).readText('status');
  if (!status.ok) return null;
  try {
    return decodeCapabilityMask(parseStatus(status.value).capBounding);
  } catch {
    return null;
  }
}
