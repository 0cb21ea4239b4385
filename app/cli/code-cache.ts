// A per-user cache of V8 code for the scan's classic script: where it lives, and reading and writing it so that a
// corrupt, truncated, foreign or stale file is refused, never run, and never changes what a scan prints.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The file's layout: MAGIC, the key's length (u16 LE) and the key (ASCII), the payload's length (u32 LE), the payload
 * (what V8's createCachedData made), then the payload again. V8 checks its own version, flags and the source's length,
 * but a release build does not checksum the payload, so a flipped byte would reach the deserializer: the two copies must
 * match byte for byte. A checksum would do as well, but its code costs more than the compare: loading node:zlib for
 * crc32 cost a scan 13 M instructions (~3 ms), node:crypto more, a JavaScript hash of the ~650 kB 22 M; reading the
 * second copy and comparing costs well under one.
 */
const MAGIC = Buffer.from('isolens-v8-code\n', 'latin1');
/** Larger than any cache of the scan's script (about 1 MB); a bigger file is not ours. */
const MAX_FILE_BYTES = 64 << 20;
const CACHE_FILE = /^scan-[a-z]+-[0-9a-f]+\.v8cache$/;

export type CacheEvent = (text: string) => void;

/**
 * The cache's directory: `$XDG_CACHE_HOME/isolens` (`~/.cache/isolens` when the variable is unset or relative, as the
 * XDG Base Directory spec says), `~/Library/Caches/isolens` on macOS. None on Windows, where a file's owner cannot be
 * checked as below, or when ISOLENS_NO_CODE_CACHE is set.
 */
export function codeCacheDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string | null {
  if (env.ISOLENS_NO_CODE_CACHE || platform === 'win32' || !home) return null;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'isolens');
  const cache = env.XDG_CACHE_HOME;
  return join(cache && cache.startsWith('/') ? cache : join(home, '.cache'), 'isolens');
}

/**
 * The file for a script (by its content hash) and a variant (the scan's format: each format runs, so caches, other
 * functions). The Node version and architecture are in the key too, so an upgraded Node never even offers V8 a cache.
 */
export function codeCacheFile(directory: string, scriptHash: string, variant: string): { path: string; key: string } {
  return { path: join(directory, `scan-${variant}-${scriptHash}.v8cache`), key: `${scriptHash} ${variant} ${process.version} ${process.arch}` };
}

/**
 * The cached code for `key`, or undefined (and why, to `event`) when there is none this process may trust: the file
 * must be a regular file (not a symbolic link) owned by this user and writable by no one else, no larger than a cache
 * can be, and its header, key and length must match, and its two copies of the payload.
 */
export function readCodeCache(path: string, key: string, event: CacheEvent = () => undefined): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    event(`no code cache (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return refuse(event, 'not a regular file');
    if (stat.uid !== process.getuid?.()) return refuse(event, `owned by uid ${stat.uid}`);
    if ((stat.mode & 0o022) !== 0) return refuse(event, 'writable by others');
    if (stat.size > MAX_FILE_BYTES) return refuse(event, 'too large');
    const bytes = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return parse(bytes.subarray(0, read), key, event);
  } catch (error) {
    return refuse(event, `unreadable (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    closeSync(fd);
  }
}

function refuse(event: CacheEvent, why: string): undefined {
  event(`code cache refused: ${why}`);
  return undefined;
}

function parse(bytes: Buffer, key: string, event: CacheEvent): Buffer | undefined {
  const keyBytes = Buffer.from(key, 'latin1');
  const headerBytes = MAGIC.length + 2 + keyBytes.length + 4;
  if (bytes.length < headerBytes || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return refuse(event, 'not a code cache');
  let at = MAGIC.length;
  const keyLength = bytes.readUInt16LE(at);
  at += 2;
  if (keyLength !== keyBytes.length || !bytes.subarray(at, at + keyLength).equals(keyBytes)) return refuse(event, 'made for another script or Node');
  at += keyLength;
  const length = bytes.readUInt32LE(at);
  at += 4;
  if (bytes.length - at !== 2 * length) return refuse(event, 'truncated');
  const payload = bytes.subarray(at, at + length);
  if (!payload.equals(bytes.subarray(at + length))) return refuse(event, 'its two copies differ');
  return payload;
}

/**
 * Write the cache atomically: a new file (0600, created exclusively) in the directory, renamed over the old one, so a
 * reader sees the old file or the whole new one. Only into a directory this user owns that no one else may write in
 * (created 0700 when missing); other scan caches there (of earlier builds) are removed. Best effort: a read-only or full
 * disk only costs the next scan its cache.
 */
export function writeCodeCache(directory: string, path: string, key: string, payload: Buffer, event: CacheEvent = () => undefined): boolean {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stat = lstatSync(directory);
    if (!stat.isDirectory()) return writeRefused(event, `${directory} is not a directory`);
    if (stat.uid !== process.getuid?.()) return writeRefused(event, `${directory} is owned by uid ${stat.uid}`);
    // Others may read a cache (it is compiled public code), never write in its directory: they could put a file there.
    if ((stat.mode & 0o022) !== 0) return writeRefused(event, `${directory} is writable by others (mode ${(stat.mode & 0o777).toString(8)})`);
  } catch (error) {
    return writeRefused(event, `${directory}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const keyBytes = Buffer.from(key, 'latin1');
  const header = Buffer.alloc(MAGIC.length + 2 + keyBytes.length + 4);
  MAGIC.copy(header, 0);
  header.writeUInt16LE(keyBytes.length, MAGIC.length);
  keyBytes.copy(header, MAGIC.length + 2);
  header.writeUInt32LE(payload.length, MAGIC.length + 2 + keyBytes.length);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for (const part of [header, payload, payload]) {
        let written = 0;
        while (written < part.length) written += writeSync(fd, part, written, part.length - written);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      /* never made, or already gone */
    }
    return writeRefused(event, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  removeOtherBuilds(directory, path);
  event(`code cache written (${payload.length} bytes)`);
  return true;
}

function writeRefused(event: CacheEvent, why: string): false {
  event(`code cache not written: ${why}`);
  return false;
}

/** Caches of other builds of the script (another hash in the name) are dead weight: an upgrade leaves one behind. */
function removeOtherBuilds(directory: string, path: string): void {
  const hash = path.slice(path.lastIndexOf('-') + 1);
  try {
    for (const name of readdirSync(directory)) {
      if (CACHE_FILE.test(name) && !name.endsWith(`-${hash}`)) unlinkSync(join(directory, name));
    }
  } catch {
    /* another scan removed it first, or the directory is not listable: nothing to tidy */
  }
}
