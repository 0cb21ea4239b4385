// The one list of host paths that give the host away when mounted into a container, and the engine sockets.

/** Host directories whose mount exposes the host: the path itself or anything below it. */
const SENSITIVE_TREES: ReadonlyArray<{ path: string; reason: string }> = [
  { path: '/etc', reason: 'host configuration (/etc): users, passwords, sudoers, cron' },
  { path: '/proc', reason: 'the host\'s /proc: every host process, kernel tunables' },
  { path: '/sys', reason: 'the host\'s /sys: kernel and device controls' },
  { path: '/dev', reason: 'host devices (/dev): raw disks and kernel memory' },
  { path: '/boot', reason: 'the host\'s kernel and boot loader (/boot)' },
  { path: '/usr', reason: 'host binaries and libraries (/usr)' },
  { path: '/lib', reason: 'host libraries and kernel modules (/lib)' },
  { path: '/lib64', reason: 'host libraries (/lib64)' },
  { path: '/bin', reason: 'host binaries (/bin)' },
  { path: '/sbin', reason: 'host system binaries (/sbin)' },
  { path: '/root', reason: 'the host root user\'s home (/root): SSH keys, credentials' },
  { path: '/var/lib/docker', reason: 'Docker\'s data (/var/lib/docker): every container\'s filesystem' },
  { path: '/var/lib/containerd', reason: 'containerd\'s data: every container\'s filesystem' },
  { path: '/var/lib/containers', reason: 'Podman\'s data: every container\'s filesystem' },
  { path: '/var/lib/kubelet', reason: 'the kubelet\'s data: pod secrets and volumes' },
  { path: '/var/run/docker', reason: 'Docker\'s runtime state' },
  { path: '/run/containerd', reason: 'containerd\'s runtime state and socket' },
];

/** Host paths that are sensitive only when mounted exactly (their subdirectories are ordinary). */
const SENSITIVE_EXACT: ReadonlyArray<{ path: string; reason: string }> = [
  { path: '/', reason: 'the host\'s whole root filesystem' },
  { path: '/run', reason: 'host runtime directory (/run): engine sockets, D-Bus, systemd' },
  { path: '/var/run', reason: 'host runtime directory (/var/run): engine sockets, D-Bus, systemd' },
  { path: '/var', reason: 'host /var: engine data, logs, spools' },
  { path: '/home', reason: 'every host user\'s home directory' },
];

/** Engine API sockets by file name: whoever can write to one controls the engine, and so the host. */
const ENGINE_SOCKETS: ReadonlyArray<{ pattern: RegExp; engine: string }> = [
  { pattern: /(^|\/)docker\.sock$/, engine: 'Docker' },
  { pattern: /(^|\/)dockershim\.sock$/, engine: 'dockershim' },
  { pattern: /(^|\/)containerd\.sock$/, engine: 'containerd' },
  { pattern: /(^|\/)podman\.sock$/, engine: 'Podman' },
  { pattern: /(^|\/)crio\.sock$/, engine: 'CRI-O' },
  { pattern: /(^|\/)cri-dockerd\.sock$/, engine: 'cri-dockerd' },
];

/**
 * Host paths that, writable, put host root one step away: the path itself or anything below it. Write a cron job,
 * a user, a kernel parameter, a binary root runs, a boot image, or another container's filesystem.
 */
const HOST_ROOT_TREES: readonly string[] = [
  '/etc/cron.d', '/etc/cron.hourly', '/etc/cron.daily', '/etc/systemd', '/etc/ssh', '/etc/sudoers.d', '/etc/init.d', '/etc/profile.d',
  '/root', '/boot', '/proc', '/sys', '/dev', '/bin', '/sbin', '/lib', '/lib64', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/libexec', '/usr/local/bin', '/usr/local/sbin',
  '/var/lib/docker', '/var/lib/containerd', '/var/lib/containers', '/var/spool/cron', '/run/containerd', '/var/run/docker', '/var/run/containerd',
];
/** Directories that are host root one step away only when mounted whole (their own subdirectories vary). */
const HOST_ROOT_EXACT: readonly string[] = ['/', '/etc', '/usr', '/usr/local', '/var', '/var/lib', '/var/spool', '/run', '/var/run'];

export interface Sensitivity {
  sensitive: boolean;
  reason: string | null;
  /** Set when the mount is (or holds) an engine API socket. */
  engineSocket: string | null;
  /** Writable, this host path puts host root one step away (critical); otherwise it leaks or disturbs (high at most). */
  hostRootIfWritable: boolean;
}

function normalize(path: string): string {
  const collapsed = path.replace(/\/+/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

/** How sensitive is a host path mounted into a container? */
export function hostPathSensitivity(hostPath: string): Sensitivity {
  const path = normalize(hostPath);
  const hostRootIfWritable = givesHostRootIfWritable(path);
  for (const socket of ENGINE_SOCKETS) {
    if (socket.pattern.test(path)) {
      return { sensitive: true, reason: `the ${socket.engine} API socket: full control of the engine, and so of the host`, engineSocket: socket.engine, hostRootIfWritable: true };
    }
  }
  const exact = SENSITIVE_EXACT.find((entry) => entry.path === path);
  if (exact) {
    const holdsSocket = path === '/run' || path === '/var/run';
    return { sensitive: true, reason: exact.reason, engineSocket: holdsSocket ? 'Docker' : null, hostRootIfWritable };
  }
  const tree = SENSITIVE_TREES.find((entry) => path === entry.path || path.startsWith(`${entry.path}/`));
  if (tree) return { sensitive: true, reason: tree.reason, engineSocket: null, hostRootIfWritable };
  return { sensitive: false, reason: null, engineSocket: null, hostRootIfWritable };
}

/** Is a writable mount of this host path host root one step away? */
export function givesHostRootIfWritable(hostPath: string): boolean {
  const path = normalize(hostPath);
  return HOST_ROOT_EXACT.includes(path) || HOST_ROOT_TREES.some((tree) => path === tree || path.startsWith(`${tree}/`));
}

/** The mounts that make host root one step away: a writable bind of such a host path that the user declared (the CLI's and the GUI's HOST MOUNT flag). */
export function hostRootMounts<M extends { readOnly: boolean | null; origin: string; type: string; source: string; sensitive: boolean }>(mounts: readonly M[]): M[] {
  return mounts.filter((m) => m.sensitive && m.readOnly === false && m.origin === 'engine' && m.type === 'bind' && givesHostRootIfWritable(m.source));
}

/**
 * The declared binds of sensitive host paths that give the host's files (not an engine socket: that is controlling the
 * engine, a separate operation). What "Read host files" is judged on and what its probe lists: one set for both.
 */
export function hostFileBinds<M extends { origin: string; type: string; source: string; destination: string; sensitive: boolean }>(mounts: readonly M[]): M[] {
  return mounts.filter((m) => m.sensitive && m.origin === 'engine' && m.type === 'bind' && mountedEngineSocket(m) === null);
}

/** The engine-socket names, for rules that want to name the engine. */
export function engineSocketName(hostPath: string): string | null {
  return hostPathSensitivity(hostPath).engineSocket;
}

/** Is this mount an engine API socket (by its host source, or a *.sock destination named like one)? */
export function mountedEngineSocket(mount: { source: string; destination: string }): string | null {
  // By host path (the socket itself, or /run and /var/run that hold it), or a proxy socket mounted where one is expected.
  return engineSocketName(mount.source) ?? (mount.destination.endsWith('.sock') ? engineSocketName(mount.destination) : null);
}
