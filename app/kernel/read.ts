// Read results of /proc and cgroupfs: the one place where an errno becomes a reason a user can act on, never an exception.

export type ReadFailureReason = 'vanished' | 'permission' | 'missing' | 'unsupported' | 'other';
export type ReadFailure = { ok: false; reason: ReadFailureReason; message: string };
export type ReadResult<T> = { ok: true; value: T } | ReadFailure;

export function readOk<T>(value: T): ReadResult<T> {
  return { ok: true, value };
}

/** The /proc/PID (or /proc/self) directory a path lies under, or null when the path is not a process file. */
export function processDirectoryOf(path: string): string | null {
  // The last "/<digits>/" or "/self/" segment: fixture roots may themselves contain digits earlier in the path.
  const match = /^(.*\/(?:\d+|self|thread-self))\/[^/]/.exec(path);
  return match ? match[1]! : null;
}

function processIdOf(processDirectory: string): string {
  return processDirectory.slice(processDirectory.lastIndexOf('/') + 1);
}

/** What the user can do about a permission error, depending on what was being read. */
function permissionAdvice(path: string, processDirectory: string | null): string {
  if (processDirectory === null) return 'run Isolens as root to read it';
  const file = path.slice(processDirectory.length + 1);
  const pid = processIdOf(processDirectory);
  return `run Isolens as root or with CAP_SYS_PTRACE to read /proc/${pid}/${file} of another user's process`;
}

/**
 * Turn an errno into a failure. Pure: the caller says whether the process directory still exists, because ENOENT on
 * /proc/PID/x means "the process exited" when /proc/PID is gone and "this kernel has no such file" when it is not.
 */
export function failureFor(code: string | undefined, path: string, processDirectoryExists: boolean | null): ReadFailure {
  const processDirectory = processDirectoryOf(path);
  switch (code) {
    case 'ESRCH':
      return { ok: false, reason: 'vanished', message: `the process exited while ${path} was read` };
    case 'ENODEV':
      // A descriptor kept open on a cgroup file whose cgroup was removed (the container stopped).
      return { ok: false, reason: 'vanished', message: `${path} belongs to a cgroup that no longer exists` };
    case 'ENOENT':
    case 'ENOTDIR':
      if (processDirectory !== null && processDirectoryExists === false) {
        return { ok: false, reason: 'vanished', message: `process ${processIdOf(processDirectory)} no longer exists (it exited before ${path} could be read)` };
      }
      return { ok: false, reason: 'missing', message: `${path} does not exist on this host` };
    case 'EACCES':
    case 'EPERM':
      return { ok: false, reason: 'permission', message: `permission denied reading ${path}: ${permissionAdvice(path, processDirectory)}` };
    case 'EINVAL':
    case 'EOPNOTSUPP':
    case 'ENOTSUP':
      // e.g. /proc/PID/attr/current when no LSM provides it.
      return { ok: false, reason: 'unsupported', message: `this kernel does not provide ${path} (${code})` };
    default:
      return { ok: false, reason: 'other', message: `could not read ${path}: ${code ?? 'unknown error'}` };
  }
}

/**
 * A file that is missing under a cgroup directory that is itself gone: the cgroup was removed (its container stopped
 * or was removed), which is not the same as a controller file this kernel lacks. Pure: the caller says whether the
 * file's directory still exists; any other failure is returned as it is.
 */
export function cgroupFailure(failure: ReadFailure, path: string, cgroupRoot: string, directoryExists: boolean): ReadFailure {
  if (failure.reason !== 'missing' || directoryExists || !path.startsWith(`${cgroupRoot}/`)) return failure;
  const directory = path.slice(0, path.lastIndexOf('/'));
  return { ok: false, reason: 'vanished', message: `the cgroup ${directory} no longer exists (its container stopped before ${path.slice(directory.length + 1)} could be read)` };
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * The failure for an errno, asking `exists` whether the process directory is still there only when that decides the
 * reason (ENOENT under /proc/PID). Every source, local or helper, classifies through here.
 */
export async function classifyErrorCode(code: string, path: string, exists: (path: string) => Promise<boolean>): Promise<ReadFailure> {
  const processDirectory = processDirectoryOf(path);
  const known = code === 'ENOENT' || code === 'ENOTDIR' ? (processDirectory === null ? null : await exists(processDirectory)) : null;
  return failureFor(code, path, known);
}
