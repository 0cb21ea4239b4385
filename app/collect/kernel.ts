// Joins what the kernel shows for a container's main process with the config document: the kernel wins, mismatches are kept.
import { decodeCapabilityMask } from '../model/capabilities.js';
import type {
  ContainerIsolation,
  EngineInfo,
  Gap,
  Mismatch,
  Mount,
  NamespaceKind,
} from '../model/schema.js';
import { NAMESPACE_KINDS } from '../model/vocabulary.js';
import type { ReadResult } from '../kernel/read.js';
import type { MountInfoEntry } from '../kernel/mountinfo.js';
import type { KernelFacts } from '../kernel/facts.js';
import { isIdentityMap, mapFromHost } from '../kernel/userns.js';
import { configuredUserIsRoot, diffAgainstDefault } from './config.js';
import { compareText } from '../model/collation.js';

/**
 * Capabilities newer than some engines: Docker before 23 (and runc before 1.0.3) do not know CAP_PERFMON, CAP_BPF and
 * CAP_CHECKPOINT_RESTORE (Linux 5.8/5.9), so --privileged and --cap-add ALL expand without them there.
 */
const CAPABILITIES_SOME_ENGINES_LACK = new Set(['CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE']);

/** What the kernel is expected to show when the engine was asked for every capability. */
export function expectedBoundingForAll(requested: readonly string[], hostBounding: readonly string[] | null, kernel: readonly string[]): string[] {
  return requested.filter(
    (name) => (hostBounding === null || hostBounding.includes(name)) && (kernel.includes(name) || !CAPABILITIES_SOME_ENGINES_LACK.has(name)),
  );
}

export interface OverlayOptions {
  /** --privileged or --cap-add ALL: the engine grants what it knows and the host allows. */
  requestedAllCapabilities?: boolean;
  hostBounding?: readonly string[] | null;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function gapFor(fact: string, result: { ok: false; message: string }): Gap {
  return { fact, reason: result.message };
}

/** Mount propagation of a mountinfo entry in the document's words. */
function kernelMount(entry: MountInfoEntry): Pick<Mount, 'readOnly' | 'propagation'> {
  return { readOnly: entry.readOnly, propagation: entry.propagation };
}

/** Runtime mounts every container gets that the isolation review cares about. */
const RUNTIME_DESTINATIONS = ['/', '/proc', '/proc/sys', '/sys', '/sys/fs/cgroup', '/dev'];

/**
 * Overlay the kernel's facts on the config document. Pure: the caller does the reading, and the document passed in is
 * left as it was. Where a kernel part failed, the config value stays, its source stays 'config', and a gap says why.
 */
export function overlayKernel(
  configDocument: ContainerIsolation,
  facts: KernelFacts,
  hostNamespaces: Record<NamespaceKind, ReadResult<number>>,
  engine: EngineInfo,
  options: OverlayOptions = {},
): ContainerIsolation {
  return overlayKernelOnto(structuredClone(configDocument), facts, hostNamespaces, engine, options);
}

/**
 * overlayKernel on a document the caller hands over (a scan's own, fresh from describeFromConfig), changed in place and
 * returned: a scan no longer deep-copies every container's document once more.
 */
export function overlayKernelOnto(
  doc: ContainerIsolation,
  facts: KernelFacts,
  hostNamespaces: Record<NamespaceKind, ReadResult<number>>,
  engine: EngineInfo,
  options: OverlayOptions = {},
): ContainerIsolation {
  const gaps: Gap[] = doc.gaps;
  const mismatches: Mismatch[] = doc.mismatches;
  const mismatch = (fact: string, kernel: unknown, config: unknown) => mismatches.push({ fact, kernel, config });
  // What the engine was asked for, before the kernel's values replace it.
  const declaredIds = { uid: doc.user.uidInContainer, gid: doc.user.gidInContainer ?? null };
  const declaredRoot = configuredUserIsRoot(doc.user.configured);

  // Namespaces: inode and sharing by comparison with the host's own.
  for (const kind of NAMESPACE_KINDS) {
    const mine = facts.namespaces[kind];
    const host = hostNamespaces[kind];
    const configured = doc.namespaces[kind];
    if (!mine.ok) {
      if (mine.reason !== 'unsupported') gaps.push(gapFor(`namespaces.${kind}`, mine));
      continue;
    }
    if (kind === 'user' && facts.uidMap.ok) {
      // The kernel's own answer, whatever the reference: only the initial user namespace maps every id onto itself. (A
      // rootless engine's shim is in the user's namespace, so comparing with it would call a rootless container "host".)
      const shared = isIdentityMap(facts.uidMap.value);
      if (configured.sharedWithHost !== null && configured.sharedWithHost !== shared) mismatch('namespaces.user.sharedWithHost', shared, configured.sharedWithHost);
      doc.namespaces.user = { inode: mine.value, sharedWithHost: shared, source: 'kernel', mode: configured.mode };
      continue;
    }
    if (!host.ok) {
      doc.namespaces[kind] = { ...configured, inode: mine.value, source: 'config' };
      gaps.push({ fact: `namespaces.${kind}.sharedWithHost`, reason: `the host's reference namespace could not be read: ${host.message}` });
      continue;
    }
    const shared = mine.value === host.value;
    if (configured.sharedWithHost !== null && configured.sharedWithHost !== shared) {
      mismatch(`namespaces.${kind}.sharedWithHost`, shared, configured.sharedWithHost);
    }
    doc.namespaces[kind] = { inode: mine.value, sharedWithHost: shared, source: 'kernel', mode: configured.mode };
  }

  // Process credentials, capabilities, seccomp, no-new-privileges.
  if (facts.status.ok) {
    const status = facts.status.value;
    const bounding = decodeCapabilityMask(status.capBounding);
    let configBounding = doc.capabilities?.bounding ?? null;
    if (configBounding && options.requestedAllCapabilities) {
      configBounding = expectedBoundingForAll(configBounding, options.hostBounding ?? null, bounding);
    }
    if (configBounding && !sameSet(bounding, configBounding)) mismatch('capabilities.bounding', bounding, configBounding);
    const effective = decodeCapabilityMask(status.capEffective);
    const permitted = decodeCapabilityMask(status.capPermitted);
    // The engines start root with every bounding capability effective and permitted, and any other uid with none (no
    // ambient set is configured). A process that changed user, or dropped or gained capabilities after start, differs.
    if (configBounding && declaredRoot !== null) {
      const declared = declaredRoot ? configBounding : [];
      if (!sameSet(effective, declared)) mismatch('capabilities.effective', effective, declared);
      if (!sameSet(permitted, declared)) mismatch('capabilities.permitted', permitted, declared);
    }
    doc.capabilities = {
      effective,
      permitted,
      bounding,
      inheritable: decodeCapabilityMask(status.capInheritable),
      ambient: decodeCapabilityMask(status.capAmbient),
      ...diffAgainstDefault(bounding, engine),
    };
    doc.sources.capabilities = 'kernel';

    if (status.seccompMode !== null) {
      const configured = doc.seccomp;
      if (configured.mode !== null && configured.mode !== status.seccompMode) mismatch('seccomp.mode', status.seccompMode, configured.mode);
      // The kernel knows the mode; which profile was loaded is only known to the engine, unless the filter is off.
      const profile = status.seccompMode === 'disabled' ? 'unconfined' : configured.profile === 'unconfined' ? 'custom' : configured.profile;
      doc.seccomp = { mode: status.seccompMode, profile, filters: status.seccompFilters };
      doc.sources.seccomp = 'kernel';
    } else {
      gaps.push({ fact: 'seccomp', reason: 'this kernel does not report Seccomp in /proc/PID/status (built without CONFIG_SECCOMP); the engine configuration is shown' });
    }
    if (status.noNewPrivileges !== null) {
      if (doc.noNewPrivileges !== null && doc.noNewPrivileges !== status.noNewPrivileges) {
        mismatch('noNewPrivileges', status.noNewPrivileges, doc.noNewPrivileges);
      }
      doc.noNewPrivileges = status.noNewPrivileges;
      doc.sources.noNewPrivileges = 'kernel';
    }
    doc.user.uid = status.uid.effective;
    doc.user.gid = status.gid.effective;
    doc.sources.user = 'kernel';
  } else {
    for (const fact of ['capabilities', 'seccomp', 'noNewPrivileges', 'user']) gaps.push(gapFor(fact, facts.status));
  }

  // User namespace: an identity map is the host's.
  if (facts.uidMap.ok) {
    const identity = isIdentityMap(facts.uidMap.value);
    const userns = identity ? 'host' : 'private';
    if (doc.user.userns !== null && doc.user.userns !== userns) mismatch('user.userns', userns, doc.user.userns);
    doc.user.userns = userns;
    // status shows ids as seen from the reader's (host's) namespace; map back to what the container sees.
    doc.user.uidInContainer = doc.user.uid === null || identity ? doc.user.uid : mapFromHost(doc.user.uid, facts.uidMap.value);
    doc.user.gidInContainer = doc.user.gid === null || identity ? doc.user.gid : facts.gidMap.ok ? mapFromHost(doc.user.gid, facts.gidMap.value) : null;
  } else {
    gaps.push(gapFor('user.userns', facts.uidMap));
    // The kernel's ids are from the host's side; without the map, what the container sees is unknown.
    if (doc.sources.user === 'kernel') {
      doc.user.uidInContainer = null;
      doc.user.gidInContainer = null;
    }
  }
  // The ids the process runs as, inside the container, against the ones it was started with (an entrypoint that
  // switches user after start, a setuid binary). Only once the kernel's ids are in.
  if (doc.sources.user === 'kernel') {
    for (const [key, declared] of [['uidInContainer', declaredIds.uid], ['gidInContainer', declaredIds.gid]] as const) {
      const actual = doc.user[key] ?? null;
      if (declared !== null && actual !== null && actual !== declared) mismatch(`user.${key}`, actual, declared);
    }
  }

  // Mounts: the kernel's read-only flag and propagation for each declared mount, plus the runtime mounts.
  if (facts.mountinfo.ok) {
    const entries = facts.mountinfo.value;
    // The last mount at a path is the visible one.
    const at = (destination: string) => entries.findLast((e) => e.mountPoint === destination);
    for (const mount of doc.mounts) {
      const entry = at(mount.destination);
      if (!entry) continue;
      const kernel = kernelMount(entry);
      if (mount.origin === 'engine' && mount.readOnly !== null && mount.readOnly !== kernel.readOnly) {
        mismatch(`mounts[${mount.destination}].readOnly`, kernel.readOnly, mount.readOnly);
      }
      mount.readOnly = kernel.readOnly;
      mount.propagation = kernel.propagation;
    }
    for (const destination of RUNTIME_DESTINATIONS) {
      const entry = at(destination);
      if (!entry || doc.mounts.some((m) => m.destination === destination)) continue;
      doc.mounts.push({
        type: entry.fsType,
        source: entry.mountSource,
        destination,
        readOnly: entry.readOnly,
        propagation: entry.propagation,
        sensitive: false,
        sensitiveReason: null,
        origin: 'runtime',
      });
    }
    const root = at('/');
    if (root) {
      if (doc.readOnlyRootfs !== null && doc.readOnlyRootfs !== root.readOnly) mismatch('readOnlyRootfs', root.readOnly, doc.readOnlyRootfs);
      doc.readOnlyRootfs = root.readOnly;
      doc.sources.readOnlyRootfs = 'kernel';
    }
    doc.sources.mounts = 'kernel';
  } else {
    gaps.push(gapFor('mounts', facts.mountinfo));
  }
  doc.mounts.sort(mountOrder);

  // cgroup limits straight from cgroupfs.
  if (facts.cgroup.ok) {
    const { gaps: cgroupGaps, ...kernel } = facts.cgroup.value;
    const configured = doc.cgroup;
    // null is "unlimited" on both sides, so a limit written into cgroupfs behind the engine's back (or one lifted) shows
    // too. A declared limit the kernel does not show (the controller is missing) is a mismatch; an unreadable value
    // where none was declared is only a gap.
    const unreadable = new Set(cgroupGaps.map((gap) => gap.fact));
    const compare = (key: 'memoryLimitBytes' | 'cpuQuotaCores' | 'pidsLimit' | 'cpuShares') => {
      const [declared, actual] = [configured[key], kernel[key]];
      if (declared === actual || (unreadable.has(`cgroup.${key}`) && declared === null)) return;
      if (declared === null || actual === null || Math.abs(declared - actual) > 1e-6 * Math.max(1, actual)) mismatch(`cgroup.${key}`, actual, declared);
    };
    compare('memoryLimitBytes');
    compare('cpuQuotaCores');
    compare('pidsLimit');
    compare('cpuShares');
    doc.cgroup = { ...kernel, cpusetCpus: kernel.cpusetCpus ?? configured.cpusetCpus };
    doc.sources.cgroup = 'kernel';
    gaps.push(...cgroupGaps);
  } else {
    gaps.push(gapFor('cgroup', facts.cgroup));
  }

  // LSM labels.
  if (facts.lsm.ok) {
    const { apparmor, selinux } = facts.lsm.value;
    if (apparmor !== null && doc.lsm.apparmor !== null && !apparmor.startsWith(doc.lsm.apparmor)) mismatch('lsm.apparmor', apparmor, doc.lsm.apparmor);
    doc.lsm = { apparmor: apparmor ?? (doc.lsm.apparmor === null ? null : doc.lsm.apparmor), selinux: selinux ?? doc.lsm.selinux };
    doc.sources.lsm = 'kernel';
  } else {
    gaps.push(gapFor('lsm', facts.lsm));
  }

  return doc;
}

/** Sensitive first, then read-write before read-only, then by destination. */
function mountOrder(a: Mount, b: Mount): number {
  return (
    Number(b.sensitive) - Number(a.sensitive) ||
    Number(a.readOnly === true) - Number(b.readOnly === true) ||
    compareText(a.destination, b.destination)
  );
}
