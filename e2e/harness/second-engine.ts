// A second, throwaway dockerd for fault tests (kill -9, restart): its own data-root, exec-root, pidfile, socket and
// bridge, so the suite's main engine and the host's docker0 are never touched. Never `--bridge none`: on dockerd 20.10
// that deletes the host's docker0 and breaks every other container's network.
import Dockerode from 'dockerode';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SecondEngine {
  host: string;
  client: Dockerode;
  /** dockerd's pid, from its pidfile. */
  pid(): number;
  /** SIGKILL, as a crash or the OOM killer would: no shutdown, containers left to containerd (live-restore). */
  kill9(): Promise<void>;
  /** Start dockerd again with the same roots and socket; resolves when it answers. */
  restart(): Promise<void>;
  /** Stop it (SIGTERM), delete its bridge and its roots. */
  destroy(): Promise<void>;
}

/** Why a second engine cannot run here, or null when it can (root, dockerd and ip are needed). */
export function secondEngineUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'a second dockerd needs root';
  for (const tool of ['dockerd', 'ip']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return null;
}

/** Pids whose command line contains this text (read from /proc). */
function processesWith(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

async function answers(client: Dockerode): Promise<boolean> {
  try {
    await client.ping();
    return true;
  } catch {
    return false;
  }
}

export async function startSecondEngine(tag = String(process.pid % 100_000)): Promise<SecondEngine> {
  // Short paths: containerd's socket lives under the exec-root and unix socket paths are limited to 108 bytes.
  const root = `/run/isolens-fault-${tag}`;
  const dataRoot = `/var/lib/isolens-fault-${tag}`;
  const socket = join(root, 'docker.sock');
  const pidfile = join(root, 'dockerd.pid');
  const bridge = `isoflt${tag}`.slice(0, 15);
  mkdirSync(root, { recursive: true });
  mkdirSync(dataRoot, { recursive: true });
  // A /24 of its own in 172.31.0.0/16, away from the developers' 172.29.N.0/24 and docker's 172.17.0.0/16.
  const octet = 100 + (Number(tag) % 150);
  try {
    execFileSync('ip', ['link', 'show', bridge], { stdio: 'ignore' });
  } catch {
    execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
    execFileSync('ip', ['addr', 'add', `172.31.${octet}.1/24`, 'dev', bridge]);
    execFileSync('ip', ['link', 'set', bridge, 'up']);
  }
  const host = `unix://${socket}`;
  const client = new Dockerode({ socketPath: socket });
  let child: ChildProcess | null = null;

  const launch = async (): Promise<void> => {
    const log = openSync(join(root, 'dockerd.log'), 'a');
    child = spawn(
      'dockerd',
      [
        '--data-root', join(dataRoot, 'data'),
        '--exec-root', join(root, 'exec'),
        '--pidfile', pidfile,
        '-H', host,
        '--bridge', bridge,
        '--iptables=false',
        '--ip-masq=false',
        // Containers outlive a dockerd crash, as on a production host: after the restart they are the same containers.
        '--live-restore',
      ],
      { stdio: ['ignore', log, log], detached: true },
    );
    child.unref();
    for (let i = 0; i < 120; i++) {
      if (await answers(client)) return;
      if (child.exitCode !== null) break;
      await sleep(500);
    }
    throw new Error(`the second dockerd did not answer on ${socket}; see ${join(root, 'dockerd.log')}:\n${readFileSync(join(root, 'dockerd.log'), 'utf8').slice(-2000)}`);
  };

  const pid = (): number => Number(readFileSync(pidfile, 'utf8').trim());
  const waitGone = async (processId: number): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(processId, 0);
      } catch {
        return;
      }
      await sleep(100);
    }
  };

  await launch();
  return {
    host,
    client,
    pid,
    async kill9() {
      const processId = pid();
      // Its containerd goes with it (parent-death signal); a new one cannot start until the old one has let go.
      const containerd = processesWith(`${root}/exec/containerd/containerd.toml`);
      process.kill(processId, 'SIGKILL');
      await waitGone(processId);
      for (const child of containerd) await waitGone(child);
      // A crashed dockerd leaves its pidfile, and the next one refuses to start while it exists (as after a real crash,
      // where the init system or the admin removes it).
      rmSync(pidfile, { force: true });
    },
    restart: launch,
    async destroy() {
      // Its containers first (live-restore would keep them running past dockerd), restarting it if a test left it down.
      if (!(await answers(client))) {
        rmSync(pidfile, { force: true });
        await launch().catch(() => undefined);
      }
      for (const container of await client.listContainers({ all: true }).catch(() => [])) {
        await client.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
      }
      if (existsSync(pidfile)) {
        const processId = pid();
        try {
          process.kill(processId, 'SIGTERM');
          await waitGone(processId);
        } catch {
          /* already gone */
        }
      }
      try {
        execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
      // dockerd bind-mounts its data-root and leaves namespace mounts under the exec-root: only ours, deepest first.
      const mounts = readFileSync('/proc/self/mounts', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[1] ?? '')
        .filter((point) => point.startsWith(`${root}/`) || point === dataRoot || point.startsWith(`${dataRoot}/`))
        .sort((a, b) => b.length - a.length);
      for (const point of mounts) {
        try {
          execFileSync('umount', ['-l', point], { stdio: 'ignore' });
        } catch {
          /* already gone */
        }
      }
      rmSync(root, { recursive: true, force: true });
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}
