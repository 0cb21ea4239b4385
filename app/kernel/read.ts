// Reading /proc and cgroupfs: the one place where an errno becomes a reason a user can act on, never an exception.
import { readFile, readlink, stat } from 'node:fs/promises';

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

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

async function directoryExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The failure for a thrown fs error, checking whether the process is still there when that decides the reason. */
export async function classifyError(error: unknown, path: string): Promise<ReadFailure> {
  const code = errorCode(error);
  if (code === undefined) throw error; // not an fs error: a bug, let it surface
  const processDirectory = processDirectoryOf(path);
  const exists = code === 'ENOENT' || code === 'ENOTDIR' ? (processDirectory === null ? null : await directoryExists(processDirectory)) : null;
  return failureFor(code, path, exists);
}

/** Read a text file from /proc, /sys or cgroupfs. */
export async function readProcText(path: string): Promise<ReadResult<string>> {
  try {
    return readOk(await readFile(path, 'utf8'));
  } catch (error) {
    return classifyError(error, path);
  }
}

/** Read a symbolic link, e.g. /proc/PID/ns/pid → "pid:[4026531836]". */
export async function readLink(path: string): Promise<ReadResult<string>> {
  try {
    return readOk(await readlink(path));
  } catch (error) {
    return classifyError(error, path);
  }
}

/** Does a path exist (file or directory)? Absence and permission errors alike are "no": used only for probing features. */
export async function pathExists(path: string): Promise<boolean> {
  return directoryExists(path);
}
