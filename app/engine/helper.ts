// The helper container: a short-lived, least-privilege container on the engine that runs helper-protocol.ts's script,
// so Isolens can read the engine host's /proc and cgroupfs wherever the engine runs (a VM, tcp://, another PID
// namespace, a non-root user). Started, attached and removed here; read through kernel/helper-source.ts.
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import type { EngineInfo } from '../model/schema.js';
import { HELPER_SCRATCH_DIR, HELPER_SCRIPT } from '../kernel/helper-protocol.js';
import { HELPER_ROOTS, HelperKernelSource, type HelperConnection } from '../kernel/helper-source.js';
import { parseMountinfo } from '../kernel/mountinfo.js';
import type { ContainerEngine, OwnedCreateOptions } from './engine.js';

/** busybox 1.36.1, the official image's multi-platform index, pinned by digest so a moved tag cannot change what runs. */
export const DEFAULT_HELPER_IMAGE = 'docker.io/library/busybox@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662';

/** Which Isolens process started a helper: "hostname/pid", so a later start can tell a dead owner's helper from a live one. */
const HELPER_OWNER_LABEL = 'io.isolens.helper.owner';

/**
 * The cgroup v1 hierarchies bound one by one. A read-only bind of /sys/fs/cgroup itself is read-only only at its top:
 * on v1 each controller is a mount below it that stays writable (shown on this machine: uid 0 in the helper could
 * write /sys/fs/cgroup/pids/docker/cgroup.clone_children). Binding each hierarchy read-only leaves nothing writable.
 * Joined names (cpu,cpuacct) are the real directories on systemd hosts, the short ones their links.
 */
const CGROUP_V1_HIERARCHIES = [
  'blkio', 'cpu', 'cpuacct', 'cpu,cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'misc', 'net_cls', 'net_prio',
  'net_cls,net_prio', 'perf_event', 'pids', 'rdma', 'systemd', 'unified',
];

export interface HelperStartOptions {
  /** The image to run; DEFAULT_HELPER_IMAGE when absent. Any image with sh, od, ls and readlink serves. */
  image?: string;
  /** One line for the user, e.g. that the default image is being pulled. */
  onNotice?: (text: string) => void;
}

/** The helper could not be started: why, in words a user can act on. */
export class HelperRefusedError extends Error {}

/**
 * Podman raises a container's open-file and process limits above the engine's own; where the host's hard limits are
 * lower (this machine: 20,000 and 96,363) the runtime cannot start the helper ("error setting rlimit type 7"). The
 * script keeps one file open at a time, and 64 PIDs bound it anyway; RLIMIT_NPROC does not apply to root of the host.
 * Docker's default is dockerd's own limits, which always fit, so they are left alone there.
 */
const PODMAN_ULIMITS = [
  { Name: 'nofile', Soft: 1024, Hard: 1024 },
  { Name: 'nproc', Soft: 4096, Hard: 4096 },
];

/** The helper's only writable place; Docker mounts tmpfs nosuid, nodev and noexec. */
const SCRATCH_MOUNT = { Type: 'tmpfs' as const, Source: '', Target: HELPER_SCRATCH_DIR, TmpfsOptions: { SizeBytes: 4096, Mode: 0o700 } };

/**
 * The helper's tmpfs mounts on Podman, as HostConfig.Tmpfs options. Podman's compatible API mounts a `Mounts` tmpfs
 * without noexec (4.3), so the scratch's options are spelt out; and with --read-only Podman adds writable, executable
 * tmpfs at /tmp, /run and /var/tmp (its read_only_tmpfs default, which that API cannot turn off), so those are
 * replaced by empty read-only ones.
 */
const EMPTY_READ_ONLY_TMPFS = 'ro,nosuid,nodev,noexec,size=4k';
const PODMAN_TMPFS: Record<string, string> = {
  '/tmp': EMPTY_READ_ONLY_TMPFS,
  '/var/tmp': EMPTY_READ_ONLY_TMPFS,
  '/run': EMPTY_READ_ONLY_TMPFS,
  [HELPER_SCRATCH_DIR]: 'rw,nosuid,nodev,noexec,size=4096,mode=0700',
};

function bind(host: string, inHelper: string) {
  return { Type: 'bind' as const, Source: host, Target: inHelper, ReadOnly: true };
}

/**
 * How the cgroupfs binds are written. Docker's `Mounts` refuse a bind source that does not exist, which createHelper
 * uses to learn the host's hierarchies. Podman's compatible API creates a missing source instead (it made empty
 * directories in a host's /sys/fs/cgroup, shown on Podman 4.3) and splits a `Mounts` entry at commas ("cpu,cpuacct:
 * invalid mount option"), so there the hierarchies are learnt first (hostCgroupHierarchies) and bound as `Binds`,
 * whose fields are separated by colons.
 */
export type CgroupBindStyle = 'mounts' | 'binds';

/** Does a missing bind source make the create fail (Docker's Mounts), rather than appear on the host (Podman)? */
function refusesMissingBindSources(engine: EngineInfo): boolean {
  return engine.kind === 'docker';
}

/**
 * What the helper is allowed, and why each item is there (docs/kernel-sources.md says the same for users):
 * - --pid=host: its /proc is the host's, so every container's /proc/PID is there to read.
 * - --cgroupns=host: /proc/PID/cgroup paths are the host's, the same as a local reader sees, so cgroupfs paths match.
 * - cgroupfs bound read-only at /host/sys/fs/cgroup (one bind per v1 hierarchy, see above).
 * - capabilities: all dropped but CAP_SYS_PTRACE. Reading /proc/PID/ns/* is a ptrace "read" access check
 *   (ptrace_may_access): root without capabilities passes it only for processes whose permitted set is a subset of its
 *   own (none) and that are dumpable; a container's process holds capabilities, and one that changed its uid is not
 *   dumpable. Measured here: with --cap-drop ALL the links are unreadable, with SYS_PTRACE alone they read. The
 *   capability is kept only by uid 0 (Docker 20.10 grants no ambient capabilities), so the helper runs as root.
 * - a 4 KiB tmpfs at HELPER_SCRATCH_DIR (noexec, nosuid, nodev, mode 0700), the only writable place: the script writes
 *   each many-file read's separator nonce there (helper-protocol.ts), where no container can read it.
 * - --network none, --read-only, no-new-privileges, no log (file content is not kept by the engine's log driver),
 *   small memory and pids limits, AutoRemove: it stops when its stdin closes, i.e. when Isolens goes away.
 * - On AppArmor hosts, docker-default lets a container ptrace-read only peers under docker-default, not the shims
 *   that are the host reference, so the helper runs unconfined there; on SELinux hosts container_t cannot read other
 *   domains' /proc, so labelling is disabled. (Neither LSM is active on the machine this was built on.)
 */
export function helperCreateOptions(
  engine: EngineInfo,
  image: string,
  cgroupBinds: readonly string[] | null,
  owner: string,
  style: CgroupBindStyle = 'mounts',
): OwnedCreateOptions {
  const securityOptions = ['no-new-privileges'];
  if (engine.securityOptions.some((option) => option.includes('name=apparmor'))) securityOptions.push('apparmor=unconfined');
  if (engine.securityOptions.some((option) => option.includes('name=selinux'))) securityOptions.push('label=disable');
  const cgroupPairs: Array<[string, string]> =
    cgroupBinds === null ? [['/sys/fs/cgroup', HELPER_ROOTS.cgroup]] : cgroupBinds.map((name) => [`/sys/fs/cgroup/${name}`, `${HELPER_ROOTS.cgroup}/${name}`]);
  const cgroupMounts = style === 'mounts' ? cgroupPairs.map(([host, inHelper]) => bind(host, inHelper)) : [];
  return {
    name: `isolens-helper-${process.pid}-${Date.now().toString(36)}`,
    Image: image,
    Entrypoint: ['sh', '-c', HELPER_SCRIPT, 'isolens-helper', HELPER_SCRATCH_DIR],
    Cmd: [],
    User: '0:0',
    Labels: { [HELPER_OWNER_LABEL]: owner },
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    NetworkDisabled: true,
    HostConfig: {
      PidMode: 'host',
      CgroupnsMode: 'host',
      CapDrop: ['ALL'],
      CapAdd: ['SYS_PTRACE'],
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      SecurityOpt: securityOptions,
      AutoRemove: true,
      ...(style === 'binds' ? { Binds: cgroupPairs.map(([host, inHelper]) => `${host}:${inHelper}:ro`) } : {}),
      ...(refusesMissingBindSources(engine) ? {} : { Tmpfs: PODMAN_TMPFS }),
      Mounts: refusesMissingBindSources(engine) ? [...cgroupMounts, SCRATCH_MOUNT] : cgroupMounts,
      Memory: 64 * 1024 * 1024,
      PidsLimit: 64,
      ...(refusesMissingBindSources(engine) ? {} : { Ulimits: PODMAN_ULIMITS }),
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

function ownerId(): string {
  return `${hostname()}/${process.pid}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove helpers an earlier Isolens left: any not running (created but never started, or stopped), and running ones
 * whose owner process on this machine is gone. Helpers of a live Isolens (another serve) are left alone.
 */
export async function sweepHelpers(adapter: ContainerEngine): Promise<number> {
  const owned = await adapter.listOwned('helper');
  let removed = 0;
  for (const helper of owned) {
    const [host, pid] = (helper.labels[HELPER_OWNER_LABEL] ?? '').split('/');
    const orphan = helper.state !== 'running' || (host === hostname() && Number(pid) > 0 && !processAlive(Number(pid)));
    if (orphan && (await adapter.removeOwned(helper.id).catch(() => false))) removed++;
  }
  return removed;
}

/** The engine's reason for a create that failed, in one line. */
function reasonOf(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  return (json?.message ?? (error as Error).message ?? String(error)).replace(/\s+/g, ' ').slice(0, 400);
}

async function ensureImage(adapter: ContainerEngine, image: string, isDefault: boolean, onNotice?: (text: string) => void): Promise<void> {
  if ((await adapter.inspectImage(image)) !== null) return;
  if (!isDefault) throw new HelperRefusedError(`the helper image ${image} is not on the engine; load or build it there first (any image with sh, od, ls and readlink)`);
  onNotice?.(`pulling ${image} (busybox, once) to read the kernel through a helper container on the engine`);
  try {
    await adapter.pullImage(image);
  } catch (error) {
    throw new HelperRefusedError(
      `the helper image ${image} could not be pulled (${reasonOf(error)}); with no registry reachable, pass --helper-image IMAGE naming a local image that has sh, od, ls and readlink`,
    );
  }
}

/** A cgroupfs hierarchy's directory name as a bind may carry it: "memory", "cpu,cpuacct", "systemd", "unified". */
const HIERARCHY_NAME = /^[a-z0-9_][a-z0-9_,.=-]{0,63}$/;

/**
 * The cgroup hierarchies the engine's host mounts at /sys/fs/cgroup/NAME, read through a first helper that binds no
 * cgroupfs: the mountinfo of its parent process, the runtime's monitor (conmon, containerd-shim), which runs in the
 * host's mount namespace. Empty when that cannot be read (the helper then has no cgroupfs, and the cgroup facts are gaps).
 */
export async function hostCgroupHierarchies(adapter: ContainerEngine, engine: EngineInfo, image: string): Promise<string[]> {
  const probe = new HelperKernelSource(await runHelper(adapter, engine, image, []), { detail: 'the helper finding the host\'s cgroup hierarchies' });
  const parentOf = async (pid: string): Promise<string | null> => {
    const status = await probe.readText(`/proc/${pid}/status`);
    const parent = status.ok ? /^PPid:\s+(\d{1,10})$/m.exec(status.value)?.[1] : undefined;
    return parent === undefined || parent === '0' ? null : parent;
  };
  try {
    // /proc/self is the process that reads (head, od): its parent is the script's sh, in the helper's mount namespace.
    const script = await parentOf('self');
    const own = script === null ? null : await probe.readLink(`/proc/${script}/ns/mnt`);
    if (script === null || !own?.ok) return [];
    // Up from the script to the first process in another mount namespace: the runtime's monitor, on the host.
    let monitor: string | null = script;
    for (let step = 0; step < 4 && monitor !== null; step++) {
      monitor = await parentOf(monitor);
      if (monitor === null) return [];
      const namespace = await probe.readLink(`/proc/${monitor}/ns/mnt`);
      if (!namespace.ok) return [];
      if (namespace.value !== own.value) break;
    }
    if (monitor === null) return [];
    const mountinfo = await probe.readText(`/proc/${monitor}/mountinfo`);
    if (!mountinfo.ok) return [];
    const names = parseMountinfo(mountinfo.value)
      .filter((mount) => mount.fsType === 'cgroup' || mount.fsType === 'cgroup2')
      .map((mount) => /^\/sys\/fs\/cgroup\/([^/]+)$/.exec(mount.mountPoint)?.[1])
      .filter((name): name is string => name !== undefined && HIERARCHY_NAME.test(name));
    return [...new Set(names)].sort();
  } finally {
    await probe.close();
  }
}

/**
 * Create the helper with every cgroup v1 hierarchy the host has. On Docker: try them all and drop each one the engine
 * names as missing. Elsewhere (Podman) a missing source would be created on the host, so ask the host first.
 */
async function createHelper(adapter: ContainerEngine, engine: EngineInfo, image: string, learnt?: string[]): Promise<string> {
  const style: CgroupBindStyle = learnt === undefined ? 'mounts' : 'binds';
  let binds: string[] | null = learnt ?? (engine.cgroupVersion === 1 ? [...CGROUP_V1_HIERARCHIES] : null);
  for (;;) {
    try {
      return await adapter.createOwned({ role: 'helper', create: helperCreateOptions(engine, image, binds, ownerId(), style) });
    } catch (error) {
      const reason = reasonOf(error);
      const missing = /bind source path does not exist: (\S+)/.exec(reason)?.[1];
      const name = missing?.replace(/^\/sys\/fs\/cgroup\//, '');
      if (learnt === undefined && binds !== null && name !== undefined && binds.includes(name)) {
        binds = binds.filter((entry) => entry !== name);
        continue;
      }
      throw new HelperRefusedError(`the engine refused the helper container (${reason})`);
    }
  }
}

/** Remove the helper and wait (briefly) until the engine no longer lists it: AutoRemove may already be under way. */
async function removeAndWait(adapter: ContainerEngine, id: string): Promise<void> {
  try {
    await adapter.removeOwned(id);
    for (let attempt = 0; attempt < 100; attempt++) {
      const inspected = await adapter.inspect(id);
      if (!inspected.ok && inspected.reason === 'vanished') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch {
    // The engine went away: the helper's stdin closed with the connection, so it stops and the engine removes it.
  }
}

/**
 * Start a helper and attach to it. Throws HelperRefusedError when the engine will not run it (image missing, --pid=host
 * forbidden, …); nothing is left behind then.
 */
export async function startHelper(adapter: ContainerEngine, engine: EngineInfo, options: HelperStartOptions = {}): Promise<HelperConnection & { id: string }> {
  const image = options.image ?? DEFAULT_HELPER_IMAGE;
  await sweepHelpers(adapter).catch(() => 0);
  await ensureImage(adapter, image, options.image === undefined, options.onNotice);
  if (engine.cgroupVersion !== 1 || refusesMissingBindSources(engine)) return runHelper(adapter, engine, image);
  const hierarchies = await hostCgroupHierarchies(adapter, engine, image);
  if (hierarchies.length === 0) {
    options.onNotice?.(`the helper could not learn the cgroup hierarchies of the engine's host (its runtime monitor's mountinfo was unreadable), so it binds no cgroupfs and cgroup limits and usage are gaps`);
  }
  return runHelper(adapter, engine, image, hierarchies);
}

/** Create, attach and start one helper; `learnt` are the cgroup v1 hierarchies to bind when known beforehand. */
async function runHelper(adapter: ContainerEngine, engine: EngineInfo, image: string, learnt?: string[]): Promise<HelperConnection & { id: string }> {
  const id = await createHelper(adapter, engine, image, learnt);
  let closed: Promise<void> | null = null;
  const close = () => (closed ??= removeAndWait(adapter, id));
  try {
    const attached = await adapter.attachOwned(id);
    const output = new PassThrough();
    const errors = new PassThrough();
    errors.resume(); // the script writes nothing to stderr; whatever a foreign image writes there is dropped
    attached.demux(output, errors);
    attached.stream.on('end', () => output.end());
    attached.stream.on('close', () => output.end());
    attached.stream.on('error', (error) => output.destroy(error));
    await adapter.startOwned(id).catch((error: unknown) => {
      throw new HelperRefusedError(`the engine would not start the helper container (${reasonOf(error)})`);
    });
    return {
      id,
      input: attached.stream,
      output,
      close: () => {
        attached.stream.end();
        attached.stream.destroy();
        return close();
      },
    };
  } catch (error) {
    await close();
    throw error instanceof HelperRefusedError ? error : new HelperRefusedError(`the helper container could not be attached (${reasonOf(error)})`);
  }
}

