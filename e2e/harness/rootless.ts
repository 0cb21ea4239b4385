// A rootless Podman engine for tests: an unprivileged user with subordinate ids, its own `podman system service` socket
// and the test image loaded from the Docker engine (no registry). Idempotent; needs root (it creates the user).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TEST_IMAGE } from './engine.js';

export const ROOTLESS_USER = 'isolens-rootless';
/** Podman's containers need explicit rlimits on this kind of VM (its defaults exceed the VM's hard limits). */
export const PODMAN_ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

export interface RootlessUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** XDG_RUNTIME_DIR: there is no logind session here, so a private directory of the user's own. */
  runtimeDir: string;
}

/** Can this process set a rootless Podman up: root, with podman, newuidmap and setpriv installed. */
export function canRunRootlessPodman(): boolean {
  return (
    process.getuid?.() === 0 &&
    ['podman', 'newuidmap', 'newgidmap', 'setpriv', 'useradd'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0)
  );
}

function hasSubordinateRange(file: string, name: string): boolean {
  return existsSync(file) && readFileSync(file, 'utf8').split('\n').some((line) => line.startsWith(`${name}:`));
}

/** Create the user (with a home for Podman's storage) and its subordinate uid/gid ranges, unless they exist. */
export function ensureRootlessUser(name = ROOTLESS_USER): RootlessUser {
  if (spawnSync('id', ['-u', name]).status !== 0) execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name]);
  // useradd assigns subordinate ids on Debian; a user made elsewhere may have none. 65536 ids, as useradd gives.
  if (!hasSubordinateRange('/etc/subuid', name)) execFileSync('usermod', ['--add-subuids', '300000-365535', name]);
  if (!hasSubordinateRange('/etc/subgid', name)) execFileSync('usermod', ['--add-subgids', '300000-365535', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  const home = execFileSync('sh', ['-c', `getent passwd ${name} | cut -d: -f6`], { encoding: 'utf8' }).trim();
  const runtimeDir = `/tmp/isolens-rootless-run-${uid}`;
  mkdirSync(runtimeDir, { recursive: true });
  chownSync(runtimeDir, uid, gid);
  chmodSync(runtimeDir, 0o700);
  return { name, uid, gid, home, runtimeDir };
}

/** The argv that runs a command as the user, in its environment; setpriv execs in place, so a pid is the command's own. */
export function asUser(user: RootlessUser, command: string[]): string[] {
  return [
    'setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--',
    'env', '-i', `HOME=${user.home}`, `USER=${user.name}`, `XDG_RUNTIME_DIR=${user.runtimeDir}`,
    // This Node first, so the user runs the same node as the tests (the CI puts it outside /root for this reason).
    `PATH=${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    ...command,
  ];
}

export function runAsUser(user: RootlessUser, command: string[], options: { cwd?: string } = {}): { stdout: string; stderr: string; status: number | null } {
  const [file, ...args] = asUser(user, command);
  const result = spawnSync(file!, args, { encoding: 'utf8', cwd: options.cwd ?? '/tmp', maxBuffer: 64 * 1024 * 1024 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

export function podmanAsUser(user: RootlessUser, ...args: string[]): string {
  const result = runAsUser(user, ['podman', ...args]);
  if (result.status !== 0) throw new Error(`podman ${args.join(' ')} as ${user.name}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** The test image in the user's own storage: saved from the Docker engine and loaded, once. */
export function ensureRootlessImage(user: RootlessUser): string {
  const image = `localhost/${TEST_IMAGE}`;
  if (runAsUser(user, ['podman', 'image', 'exists', image]).status === 0) return image;
  const dir = mkdtempSync(join(tmpdir(), 'isolens-rootless-image-'));
  chmodSync(dir, 0o755);
  const archive = join(dir, 'image.tar');
  try {
    execFileSync('docker', ['save', TEST_IMAGE, '-o', archive]);
    chmodSync(archive, 0o644);
    podmanAsUser(user, 'load', '-i', archive);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return image;
}

export interface RootlessService {
  endpoint: string;
  stop(): Promise<void>;
}

/** `podman system service` as the user on a socket of its own; stop() ends it and removes the socket. */
export async function startRootlessService(user: RootlessUser): Promise<RootlessService> {
  const socket = join(user.runtimeDir, `isolens-test-${process.pid}.sock`);
  rmSync(socket, { force: true });
  const [file, ...args] = asUser(user, ['podman', 'system', 'service', '--time=0', `unix://${socket}`]);
  const child: ChildProcess = spawn(file!, args, { stdio: 'ignore', cwd: '/tmp' });
  for (let i = 0; i < 150 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!existsSync(socket)) {
    child.kill('SIGKILL');
    throw new Error(`podman system service as ${user.name} did not create ${socket}`);
  }
  return {
    endpoint: `unix://${socket}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(socket, { force: true });
    },
  };
}
