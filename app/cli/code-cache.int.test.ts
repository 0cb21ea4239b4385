// The built CLI's scan with its code cache on a real engine and real cache files: whatever is in the cache directory (a
// good cache, a corrupt, truncated, foreign-owned or shared one, one V8 refuses, one of an earlier build), the scan
// prints the same document and exits 0, and a cache it refused is made again.
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTestContainers, startContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const isRoot = process.getuid?.() === 0;
const PREFIX = 'isolens-int-code-cache-';
const bin = fileURLToPath(new URL('../../bin/isolens.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function scan(cacheHome: string, nodeArgs: string[] = [], launcher = bin): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome, ISOLENS_DEBUG: '1' };
    const child = spawn(process.execPath, [...nodeArgs, launcher, 'scan', '--json', '--kernel-source', 'local', '-c', `${PREFIX}*`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The document without the moment it was made. */
const stable = (stdout: string) => stdout.replace(/"generatedAt": "[^"]+"/, '"generatedAt": ""');

describe.skipIf(noEngine)('the scan with its code cache, on a real engine', () => {
  let dir: string;
  let cacheHome: string;
  let cacheDir: string;
  let reference: string;
  const cacheFile = () => {
    const files = readdirSync(cacheDir).filter((name) => name.endsWith('.v8cache'));
    expect(files).toHaveLength(1);
    return join(cacheDir, files[0]!);
  };

  beforeAll(async () => {
    await removeTestContainers(undefined, PREFIX);
    await startContainer(`${PREFIX}plain`);
    await startContainer(`${PREFIX}hardened`, { User: '1000:1000', HostConfig: { CapDrop: ['ALL'], ReadonlyRootfs: true } });
    dir = mkdtempSync(join(tmpdir(), 'isolens-code-cache-int-'));
    cacheHome = join(dir, 'cache-home');
    cacheDir = join(cacheHome, 'isolens');
    // Without a cache: the reference document, and the cache it leaves.
    const first = await scan(cacheHome);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^isolens: no code cache \(ENOENT\)\nisolens: code cache written \(\d+ bytes\)\n$/);
    reference = stable(first.stdout);
    expect(JSON.parse(reference).containers).toHaveLength(2);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await removeTestContainers(undefined, PREFIX);
  });

  it('a good cache is used, and the document is the same', async () => {
    const run = await scan(cacheHome);
    expect(run.stderr).toBe('isolens: code cache used\n');
    expect([run.code, stable(run.stdout)]).toEqual([0, reference]);
  });

  it.each([
    ['corrupt (a byte flipped in the middle)', (path: string) => flip(path, Math.floor(statSync(path).size / 2)), 'its two copies differ'],
    ['corrupt (a byte flipped in V8\'s own header)', (path: string) => flip(path, 60), 'its two copies differ'],
    ['truncated', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 3)), 'truncated'],
    ['longer than written', (path: string) => appendFileSync(path, 'trailing bytes'), 'truncated'],
    ['replaced by something else', (path: string) => writeFileSync(path, '#!/bin/sh\nrm -rf /\n'), 'not a code cache'],
    ['writable by others', (path: string) => chmodSync(path, 0o666), 'writable by others'],
  ])('a cache that is %s is refused, the document is the same, and a good cache is written again', async (_what, damage, reason) => {
    damage(cacheFile());
    const run = await scan(cacheHome);
    expect(run.stderr).toMatch(new RegExp(`^isolens: code cache refused: ${reason}\\nisolens: code cache written \\(\\d+ bytes\\)\\n$`));
    expect([run.code, stable(run.stdout)]).toEqual([0, reference]);
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o600);
    expect((await scan(cacheHome)).stderr).toBe('isolens: code cache used\n');
  });

  it.skipIf(!isRoot)('a cache another user owns is refused, even a good one', async () => {
    chownSync(cacheFile(), 65534, 65534);
    const run = await scan(cacheHome);
    expect(run.stderr).toMatch(/^isolens: code cache refused: owned by uid 65534\nisolens: code cache written \(\d+ bytes\)\n$/);
    expect([run.code, stable(run.stdout)]).toEqual([0, reference]);
    expect(statSync(cacheFile()).uid).toBe(0);
  });

  it('a cache V8 refuses (taken under other V8 flags) changes nothing, and is made again for these', async () => {
    const other = await scan(cacheHome, ['--stack-size=900']);
    expect(other.stderr).toMatch(/^isolens: code cache rejected by V8\nisolens: code cache written/);
    expect([other.code, stable(other.stdout)]).toEqual([0, reference]);
    const back = await scan(cacheHome);
    expect(back.stderr).toMatch(/^isolens: code cache rejected by V8\nisolens: code cache written/);
    expect([back.code, stable(back.stdout)]).toEqual([0, reference]);
  });

  it('a cache of an earlier build is never read, and is removed when this build writes its own', async () => {
    const current = cacheFile();
    const earlier = join(cacheDir, 'scan-json-0000000000000000.v8cache');
    writeFileSync(earlier, readFileSync(current), { mode: 0o600 });
    rmSync(current);
    const run = await scan(cacheHome);
    expect(run.stderr).toMatch(/^isolens: no code cache \(ENOENT\)\nisolens: code cache written/);
    expect([run.code, stable(run.stdout)]).toEqual([0, reference]);
    expect(readdirSync(cacheDir)).toEqual([current.slice(current.lastIndexOf('/') + 1)]);
  });

  it('a damaged scan script (a truncated install) is not run: the whole CLI scans instead, and prints the same', async () => {
    const install = join(dir, 'install');
    const root = fileURLToPath(new URL('../../', import.meta.url));
    cpSync(join(root, 'bin'), join(install, 'bin'), { recursive: true });
    cpSync(join(root, 'dist', 'cli'), join(install, 'dist', 'cli'), { recursive: true });
    const script = join(install, 'dist', 'cli', 'scan.cjs');
    truncateSync(script, Math.floor(statSync(script).size / 2));
    const run = await scan(join(dir, 'damaged-home'), [], join(install, 'bin', 'isolens.js'));
    expect(run.stderr).toMatch(/^isolens: no code cache \(ENOENT\)\nisolens: scan script unusable: .+\n$/);
    expect([run.code, stable(run.stdout)]).toEqual([0, reference]);
  });

  it('a cache directory others may write in is not used to write, and the scan is the same', async () => {
    rmSync(cacheDir, { recursive: true });
    const open = join(dir, 'open-home');
    const run0 = await scan(open);
    expect(run0.code).toBe(0);
    chmodSync(join(open, 'isolens'), 0o777);
    rmSync(join(open, 'isolens', readdirSync(join(open, 'isolens'))[0]!));
    const run = await scan(open);
    expect(run.stderr).toMatch(/^isolens: no code cache \(ENOENT\)\nisolens: code cache not written: .* is writable by others \(mode 777\)\n$/);
    expect([run.code, stable(run.stdout)]).toEqual([0, reference]);
    expect(readdirSync(join(open, 'isolens'))).toEqual([]);
  });
});

function flip(path: string, at: number): void {
  const bytes = readFileSync(path);
  bytes[at] = bytes[at]! ^ 0x5a;
  writeFileSync(path, bytes);
}
