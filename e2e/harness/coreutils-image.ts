// A helper image without busybox: dash as sh and GNU coreutils' head, od, ls and readlink, copied from this (Debian)
// machine with the shared libraries they load, FROM scratch: what a Debian-based image gives the helper. No registry,
// no package download; tagged by a hash of the files, so it is built once per set of binaries (about a second).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import { testClient } from './engine.js';

/** Where each tool comes from on this machine, and where it goes in the image (sh is dash). */
const TOOLS: Array<[from: string, to: string]> = [
  ['/usr/bin/dash', '/bin/sh'],
  ['/usr/bin/head', '/usr/bin/head'],
  ['/usr/bin/od', '/usr/bin/od'],
  ['/usr/bin/ls', '/usr/bin/ls'],
  ['/usr/bin/readlink', '/usr/bin/readlink'],
];

/** Can this machine give the tools (dash, coreutils, ldd)? */
export function canBuildCoreutilsImage(): boolean {
  return TOOLS.every(([from]) => existsSync(from)) && existsSync('/usr/bin/ldd');
}

/** The shared libraries (and the loader) a binary needs, as ldd lists them: absolute paths. */
function librariesOf(binary: string): string[] {
  const listing = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...listing.matchAll(/(?:=>\s+)?(\/\S+)\s+\(0x/g)].map((match) => match[1]!);
}

/** Build (once) and return the image's name: isolens-test/coreutils-dash:<hash of its files>. */
export async function ensureCoreutilsImage(client: Dockerode = testClient()): Promise<string> {
  const files = new Map<string, string>(TOOLS.map(([from, to]) => [to, from]));
  for (const [from] of TOOLS) for (const library of librariesOf(from)) files.set(library, library);
  const hash = createHash('sha256');
  for (const [to, from] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${to}\0`).update(readFileSync(from));
  const image = `isolens-test/coreutils-dash:${hash.digest('hex').slice(0, 12)}`;
  try {
    await client.getImage(image).inspect();
    return image;
  } catch {
    /* not built yet */
  }
  const context = mkdtempSync(join(tmpdir(), 'isolens-coreutils-image-'));
  try {
    for (const [to, from] of files) {
      mkdirSync(join(context, 'root', dirname(to)), { recursive: true });
      copyFileSync(from, join(context, 'root', to)); // the file itself, not a link into this machine
    }
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY root/ /\nENV PATH=/usr/bin:/bin\nCMD ["sh"]\n');
    const stream = await client.buildImage({ context, src: ['Dockerfile', 'root'] }, { t: image, rm: true });
    await new Promise<void>((resolve, reject) =>
      client.modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
        const failed = output?.find((entry) => entry.error);
        if (error || failed) reject(error ?? new Error(failed!.error));
        else resolve();
      }),
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return image;
}
