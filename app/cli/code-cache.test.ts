// The scan's code cache on real files: what is written reads back, and a truncated, corrupt, foreign, shared or linked
// file is refused (so V8 never sees it), as is a directory others may write in.
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheDirectory, codeCacheFile, readCodeCache, writeCodeCache } from './code-cache.js';

const isRoot = process.getuid?.() === 0;
const payload = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));

describe('the scan code cache on disk', () => {
  let base: string;
  let dir: string;
  let file: { path: string; key: string };
  let events: string[];
  const event = (text: string) => events.push(text);

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'isolens-code-cache-'));
    dir = join(base, 'cache', 'isolens');
    file = codeCacheFile(dir, '0123456789abcdef', 'json');
    events = [];
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('writes atomically into a 0700 directory a 0600 file that reads back as the same payload', () => {
    expect(writeCodeCache(dir, file.path, file.key, payload, event)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(readCodeCache(file.path, file.key, event)).toEqual(payload);
    // No temporary file is left beside it.
    expect(readdir(dir)).toEqual(['scan-json-0123456789abcdef.v8cache']);
  });

  it('is absent, not an error, before the first scan', () => {
    expect(readCodeCache(file.path, file.key, event)).toBeUndefined();
    expect(events).toEqual(['no code cache (ENOENT)']);
  });

  it.each([
    ['a truncated file', (path: string) => truncateSync(path, statSync(path).size - 100), 'truncated'],
    ['a file cut inside its header', (path: string) => truncateSync(path, 10), 'not a code cache'],
    ['a flipped byte in the payload', (path: string) => flip(path, statSync(path).size - 7000), 'its two copies differ'],
    ['a flipped byte in its copy', (path: string) => flip(path, statSync(path).size - 2000), 'its two copies differ'],
    ['a byte more at its end', (path: string) => appendFileSync(path, 'x'), 'truncated'],
    ['a flipped header byte', (path: string) => flip(path, 3), 'not a code cache'],
    ['an empty file', (path: string) => writeFileSync(path, ''), 'not a code cache'],
    ['another file put in its place', (path: string) => writeFileSync(path, 'GIF89a not a cache at all'), 'not a code cache'],
  ])('refuses %s', (_what, damage, reason) => {
    writeCodeCache(dir, file.path, file.key, payload);
    damage(file.path);
    expect(readCodeCache(file.path, file.key, event)).toBeUndefined();
    expect(events).toEqual([`code cache refused: ${reason}`]);
  });

  it('refuses a cache made for another script, variant or Node (the key is in the file, not only in its name)', () => {
    writeCodeCache(dir, file.path, file.key, payload);
    expect(readCodeCache(file.path, file.key.replace('json', 'table'), event)).toBeUndefined();
    expect(readCodeCache(file.path, `${file.key}x`, event)).toBeUndefined();
    expect(events).toEqual(['code cache refused: made for another script or Node', 'code cache refused: made for another script or Node']);
  });

  it('refuses a file others may write, and a symbolic link to a good cache', () => {
    writeCodeCache(dir, file.path, file.key, payload);
    chmodSync(file.path, 0o620);
    expect(readCodeCache(file.path, file.key, event)).toBeUndefined();
    chmodSync(file.path, 0o600);
    const link = join(dir, 'scan-json-linked.v8cache');
    symlinkSync(file.path, link);
    expect(readCodeCache(link, file.key, event)).toBeUndefined();
    expect(events).toEqual(['code cache refused: writable by others', 'no code cache (ELOOP)']);
  });

  it.skipIf(!isRoot)('refuses a file another user owns, even one that is a good cache', () => {
    writeCodeCache(dir, file.path, file.key, payload);
    chownSync(file.path, 65534, 65534);
    expect(readCodeCache(file.path, file.key, event)).toBeUndefined();
    expect(events).toEqual(['code cache refused: owned by uid 65534']);
  });

  it('writes nothing into a directory others may write in, or that is not a directory', () => {
    mkdirSync(dir, { recursive: true, mode: 0o775 });
    chmodSync(dir, 0o775);
    expect(writeCodeCache(dir, file.path, file.key, payload, event)).toBe(false);
    expect(existsSync(file.path)).toBe(false);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'a file where the directory should be');
    expect(writeCodeCache(dir, file.path, file.key, payload, event)).toBe(false);
    expect(events[0]).toBe(`code cache not written: ${dir} is writable by others (mode 775)`);
    expect(events[1]).toMatch(/^code cache not written: .*(EEXIST|ENOTDIR|not a directory)/);
  });

  it('writes into a directory of its own that others may only read (one made 0755 by another tool)', () => {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    expect(writeCodeCache(dir, file.path, file.key, payload, event)).toBe(true);
    expect(readCodeCache(file.path, file.key)).toEqual(payload);
  });

  it.skipIf(!isRoot)('writes nothing into a directory another user owns', () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, 65534, 65534);
    expect(writeCodeCache(dir, file.path, file.key, payload, event)).toBe(false);
    expect(events).toEqual([`code cache not written: ${dir} is owned by uid 65534`]);
  });

  it('removes the caches of other builds of the script when it writes, and leaves other files alone', () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'scan-json-fedcba9876543210.v8cache'), 'old build');
    writeFileSync(join(dir, 'scan-table-fedcba9876543210.v8cache'), 'old build');
    writeFileSync(join(dir, 'scan-table-0123456789abcdef.v8cache'), 'this build, another variant');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    writeCodeCache(dir, file.path, file.key, payload);
    expect(readdir(dir)).toEqual(['notes.txt', 'scan-json-0123456789abcdef.v8cache', 'scan-table-0123456789abcdef.v8cache']);
  });
});

describe('where the code cache lives', () => {
  it('follows XDG_CACHE_HOME when it is absolute, else ~/.cache; ~/Library/Caches on macOS; nowhere on Windows or when turned off', () => {
    expect(codeCacheDirectory({ XDG_CACHE_HOME: '/var/cache/me' }, 'linux', '/home/me')).toBe('/var/cache/me/isolens');
    expect(codeCacheDirectory({ XDG_CACHE_HOME: 'relative/cache' }, 'linux', '/home/me')).toBe('/home/me/.cache/isolens');
    expect(codeCacheDirectory({}, 'linux', '/home/me')).toBe('/home/me/.cache/isolens');
    expect(codeCacheDirectory({}, 'darwin', '/Users/me')).toBe('/Users/me/Library/Caches/isolens');
    expect(codeCacheDirectory({}, 'win32', 'C:\\Users\\me')).toBeNull();
    expect(codeCacheDirectory({ ISOLENS_NO_CODE_CACHE: '1' }, 'linux', '/home/me')).toBeNull();
    expect(codeCacheDirectory({}, 'linux', '')).toBeNull();
  });
});

function flip(path: string, at: number): void {
  const bytes = readFileSync(path);
  bytes[at] = bytes[at]! ^ 0x40;
  writeFileSync(path, bytes);
}

function readdir(path: string): string[] {
  return readdirSync(path).sort();
}
