// Kernel truth wherever Isolens runs: the same real containers scanned five ways (locally as root, through the helper,
// from a private PID namespace, over TCP, as uid 65534 with only a socket) give the same facts, all from the kernel,
// including containers whose process changed its uid, network namespace or root mount after start, and one whose
// cgroup limits were changed in cgroupfs behind the engine's back. And no helper container is ever left behind.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, Snapshot, type ContainerIsolation } from './model/schema.js';
import { openEngine } from './engine/open.js';
import { withKernelSource } from './kernel-source.js';
import { createLiveApi } from './poller/live.js';
import type { ApiEvent } from './api.js';
import { processOf } from './kernel/source.js';
import { ensureTestImage, execIn, removeTestContainers, startContainer, testClient, TEST_IMAGE, type StartedContainer } from '../e2e/harness/engine.js';
import { startEngineProxy, type EngineProxy } from '../e2e/harness/socket-proxy.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const isRoot = process.getuid?.() === 0;
const PREFIX = 'isolens-int-ksrc-';
const client = testClient();
const bin = fileURLToPath(new URL('../bin/isolens.js', import.meta.url));
const canUnshare = isRoot && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
const canSetpriv = isRoot && spawnSync('setpriv', ['--version']).status === 0;

interface Scan {
  snapshot: Snapshot;
  stderr: string;
}

/** `isolens scan --json` as its own process (optionally wrapped: unshare, setpriv), only this test's containers. */
function scan(args: string[], wrap: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Scan> {
  const argv = [...wrap, process.execPath, bin, 'scan', '--json', '--container', `${PREFIX}*`, '--helper-image', TEST_IMAGE, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env } });
    // Bytes, decoded once at the end: a pipe chunk may end inside a multi-byte character (the findings' "—").
    const stdout: Buffer[] = [];
    const stderrChunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(stderrChunks).toString('utf8');
      if (code !== 0) return reject(new Error(`scan ${args.join(' ')} exited ${code}: ${stderr}`));
      resolve({ snapshot: Snapshot.parse(JSON.parse(Buffer.concat(stdout).toString('utf8'))), stderr });
    });
  });
}

async function helpersLeft(): Promise<string[]> {
  const list = await client.listContainers({ all: true, filters: { label: ['io.isolens.owner=helper'] } });
  return list.map((container) => container.Id);
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const KERNEL_FACTS = ['capabilities', 'seccomp', 'noNewPrivileges', 'user', 'mounts', 'cgroup', 'readOnlyRootfs'] as const;

describe.skipIf(noEngine || !isRoot)('kernel sources on a real engine: five ways, one truth', () => {
  const started: Record<string, StartedContainer> = {};
  const dir = mkdtempSync(join(tmpdir(), 'isolens-ksrc-'));
  const scans: Record<string, Scan> = {};
  let unixProxy: EngineProxy | null = null;
  let tcpProxy: EngineProxy | null = null;

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    await ensureTestImage(client);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'passwd'), 'root:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n', { mode: 0o644 });
    const variants: Record<string, Parameters<typeof startContainer>[1]> = {
      default: {},
      hardened: { User: '1000:1000', HostConfig: { CapDrop: ['ALL'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'], Memory: 64 << 20, NanoCpus: 5e8, PidsLimit: 64 } },
      'host-namespaces': { HostConfig: { NetworkMode: 'host', PidMode: 'host', IpcMode: 'host', UTSMode: 'host' } },
      // Changed after start, by the container's own main process (each step execs, so State.Pid is the changed one):
      'changed-uid': { Cmd: ['sh', '-c', "exec su -s /bin/sh -c 'exec sleep 3600' nobody"], HostConfig: { Binds: [`${join(dir, 'passwd')}:/etc/passwd:ro`] } },
      'changed-netns': { Cmd: ['unshare', '-n', 'sleep', '3600'], HostConfig: { NetworkMode: 'host', CapAdd: ['SYS_ADMIN'] } },
      'changed-root-mount': { Cmd: ['sh', '-c', 'mount -o remount,ro / && exec sleep 3600'], HostConfig: { CapAdd: ['SYS_ADMIN'] } },
      'changed-cgroup': { HostConfig: { Memory: 64 << 20, PidsLimit: 64 } },
    };
    for (const [name, options] of Object.entries(variants)) started[name] = await startContainer(`${PREFIX}${name}`, options, client);
    // Wait until each change has happened, then change the cgroup limits behind the engine's back.
    const status = async (pid: number) => (await processOf((await import('./kernel/source.js')).LOCAL_HOST_SOURCE, pid).readText('status'));
    await eventually(async () => {
      const text = await status(started['changed-uid']!.pid);
      return text.ok && /^Uid:\s+65534\s/m.test(text.value);
    }, 'the changed-uid container runs as 65534');
    await eventually(async () => readFileSync(`/proc/${started['changed-root-mount']!.pid}/mountinfo`, 'utf8').split('\n').some((line) => / \/ ro,/.test(line)), 'the root mount is read-only');
    const id = started['changed-cgroup']!.id;
    writeFileSync(`/sys/fs/cgroup/pids/docker/${id}/pids.max`, '50');
    writeFileSync(`/sys/fs/cgroup/memory/docker/${id}/memory.limit_in_bytes`, String(96 << 20));

    scans.local = await scan(['--kernel-source', 'local']);
    scans.helper = await scan(['--kernel-source', 'helper']);
    tcpProxy = await startEngineProxy('tcp://127.0.0.1:0');
    scans.tcp = await scan(['-H', tcpProxy.path]);
    // No kernel source possible: the engine is not local and the helper cannot run (its image is not there).
    scans.none = await scan(['-H', tcpProxy.path, '--helper-image', 'isolens-test/not-there:none']);
    if (canUnshare) scans.pidNamespace = await scan([], ['unshare', '--pid', '--fork', '--mount-proc']);
    if (canSetpriv) {
      // Only the engine socket: a proxy socket uid 65534 may use, nothing else of root's.
      unixProxy = await startEngineProxy(join(dir, 'engine.sock'));
      chmodSync(join(dir, 'engine.sock'), 0o666);
      scans.unprivileged = await scan(['-H', `unix://${join(dir, 'engine.sock')}`], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], { HOME: dir });
    }
  });

  afterAll(async () => {
    await unixProxy?.close();
    await tcpProxy?.close();
    await removeTestContainers(client, PREFIX);
    rmSync(dir, { recursive: true, force: true });
  });

  function container(way: string, name: string): ContainerIsolation {
    const found = scans[way]!.snapshot.containers.find((c) => c.name === `${PREFIX}${name}`);
    expect(found, `${way} ${name}`).toBeDefined();
    return found!;
  }

  it('locally as root every kernel fact is read from the kernel, with no gaps', () => {
    expect(scans.local!.snapshot.engine.kernelSource?.kind).toBe('local');
    expect(scans.local!.snapshot.containers).toHaveLength(Object.keys(started).length);
    for (const doc of scans.local!.snapshot.containers) {
      expect(doc.gaps, doc.name).toEqual([]);
      for (const fact of KERNEL_FACTS) expect(doc.sources[fact], `${doc.name} ${fact}`).toBe('kernel');
      for (const kind of NAMESPACE_KINDS) expect(doc.namespaces[kind].source, `${doc.name} ${kind}`).toBe('kernel');
    }
  });

  it('where only the kernel is right, the kernel is what the document says (and the mismatch is kept)', () => {
    const uid = container('local', 'changed-uid');
    expect(uid.user.uid).toBe(65534);
    const netns = container('local', 'changed-netns');
    expect(netns.namespaces.net.sharedWithHost).toBe(false);
    expect(netns.mismatches).toContainEqual({ fact: 'namespaces.net.sharedWithHost', kernel: false, config: true });
    const root = container('local', 'changed-root-mount');
    expect(root.readOnlyRootfs).toBe(true);
    expect(root.mismatches).toContainEqual({ fact: 'readOnlyRootfs', kernel: true, config: false });
    const cgroup = container('local', 'changed-cgroup');
    expect(cgroup.cgroup.pidsLimit).toBe(50);
    expect(cgroup.cgroup.memoryLimitBytes).toBe(96 << 20);
    expect(cgroup.mismatches).toContainEqual({ fact: 'cgroup.pidsLimit', kernel: 50, config: 64 });
    expect(container('local', 'host-namespaces').namespaces.pid.sharedWithHost).toBe(true);
  });

  const ways = ['helper', 'tcp', ...(canUnshare ? ['pidNamespace'] : []), ...(canSetpriv ? ['unprivileged'] : [])];
  it.each(ways)('%s gives identical facts, findings and sources to the local scan, read through the helper', (way) => {
    const snapshot = scans[way]!.snapshot;
    expect(snapshot.engine.kernelSource?.kind, scans[way]!.stderr).toBe('helper');
    expect(snapshot.containers.map((c) => c.name)).toEqual(scans.local!.snapshot.containers.map((c) => c.name));
    for (const doc of snapshot.containers) {
      const local = container('local', doc.name.slice(PREFIX.length));
      expect(doc, `${way} ${doc.name}`).toEqual(local);
    }
  });

  it('auto explains why it chose the helper, in words a user can act on', () => {
    expect(scans.tcp!.snapshot.engine.kernelSource!.detail).toMatch(/VM or on another machine/);
    if (canUnshare) expect(scans.pidNamespace!.snapshot.engine.kernelSource!.detail).toMatch(/not visible in this PID namespace/);
    if (canSetpriv) expect(scans.unprivileged!.snapshot.engine.kernelSource!.detail).toMatch(/denied to this user \(uid 65534\)/);
  });

  it('where no kernel source is possible, every kernel check says it is not assessable and why, and nothing is graded', () => {
    const { snapshot, stderr } = scans.none!;
    expect(snapshot.engine.kernelSource?.kind).toBe('none');
    expect(snapshot.engine.kernelSource!.detail).toMatch(/VM or on another machine.*isolens-test\/not-there:none is not on the engine/);
    expect(stderr).toContain('isolens-test/not-there:none');
    for (const doc of snapshot.containers) {
      expect(doc.grade, doc.name).toBeNull();
      expect(doc.score).toBeNull();
      for (const fact of KERNEL_FACTS.filter((f) => f !== 'readOnlyRootfs')) expect(doc.sources[fact] ?? 'config', `${doc.name} ${fact}`).toBe('config');
      const families = new Set(doc.notAssessable!.map((entry) => entry.ruleId.split('/')[0]));
      for (const family of ['capabilities', 'namespaces', 'resources']) expect(families.has(family), `${doc.name} ${family}`).toBe(true);
      expect(doc.notAssessable!.every((entry) => entry.reason === snapshot.engine.kernelSource!.detail)).toBe(true);
      // What fired from the configuration is still reported, as evidence from the configuration.
      for (const finding of doc.findings) for (const evidence of finding.evidence) expect(evidence.source).toBe('config');
    }
    // The changed-cgroup container's limits are the engine's (64), not the kernel's (50): exactly why nothing is graded.
    expect(snapshot.containers.find((c) => c.name === `${PREFIX}changed-cgroup`)!.cgroup.pidsLimit).toBe(64);
  });

  it('no helper container is left after any of these scans', async () => {
    await eventually(async () => (await helpersLeft()).length === 0, 'every helper is gone');
  });

  it('no helper is left when a scan fails half-way, or when Isolens is killed while it holds one', async () => {
    const { adapter, engine } = await openEngine({});
    let seen: string[] = [];
    await expect(
      withKernelSource(adapter, engine, { mode: 'helper', helperImage: TEST_IMAGE }, async (source) => {
        expect((await source.readText('/proc/self/status')).ok).toBe(true);
        seen = await helpersLeft();
        throw new Error('the scan failed half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(seen).toHaveLength(1);
    expect(await helpersLeft()).toEqual([]);

    // SIGKILL: nothing runs any cleanup; the helper's stdin closes with the process and the engine removes it.
    const script = `
      const { openEngine } = await import(${JSON.stringify(new URL('../dist/app/engine/open.js', import.meta.url).pathname)});
      const { openKernelSource } = await import(${JSON.stringify(new URL('../dist/app/kernel-source.js', import.meta.url).pathname)});
      const { adapter, engine } = await openEngine({});
      const source = await openKernelSource(adapter, engine, [], { mode: 'helper', helperImage: ${JSON.stringify(TEST_IMAGE)} });
      const status = await source.readText('/proc/self/status');
      process.stdout.write(status.ok ? 'holding\\n' : 'failed\\n');
      setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script]);
    const said = await new Promise<string>((resolve) => holder.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(said).toBe('holding\n');
    expect(await helpersLeft()).toHaveLength(1);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('close', resolve));
    await eventually(async () => (await helpersLeft()).length === 0, 'the killed scan\'s helper is gone');
  });

  it('serve keeps one helper while open, samples live stats through it at its interval, and removes it on close', async () => {
    const api = await createLiveApi({ kernel: { mode: 'helper', helperImage: TEST_IMAGE }, statsIntervalMs: 200, refreshIntervalMs: 300 });
    try {
      const snapshot = (await api.getSnapshot())!;
      expect(snapshot.engine.kernelSource?.kind).toBe('helper');
      for (const local of scans.local!.snapshot.containers) {
        expect(snapshot.containers.find((c) => c.id === local.id), local.name).toEqual(local);
      }
      const events: ApiEvent[] = [];
      const stop = api.subscribe((event) => events.push(event));
      const cgroupId = started['changed-cgroup']!.id;
      await eventually(async () => events.filter((e) => e.type === 'stats' && e.stats.some((s) => s.id === cgroupId)).length >= 3, 'three stats samples');
      const sample = events.flatMap((e) => (e.type === 'stats' ? e.stats : [])).find((s) => s.id === cgroupId && s.cpuPercent !== null)!;
      // The limits written behind the engine's back, read from cgroupfs through the helper.
      expect(sample).toMatchObject({ memoryLimitBytes: 96 << 20, pidsLimit: 50 });
      expect(sample.memoryBytes).toBeGreaterThan(0);
      stop();
      // Refreshes every 300 ms go on through the same helper: still exactly one.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await helpersLeft()).toHaveLength(1);
    } finally {
      await api.close();
    }
    expect(await helpersLeft()).toEqual([]);
  });

  it('the helper holds only what reading needs', async () => {
    const { adapter, engine } = await openEngine({});
    await withKernelSource(adapter, engine, { mode: 'helper', helperImage: TEST_IMAGE }, async (source) => {
      const [id] = await helpersLeft();
      const inspect = await client.getContainer(id!).inspect();
      expect(inspect.Config.Labels['io.isolens.owner']).toBe('helper');
      expect(inspect.HostConfig).toMatchObject({ PidMode: 'host', CgroupnsMode: 'host', CapDrop: ['ALL'], CapAdd: ['SYS_PTRACE'], NetworkMode: 'none', ReadonlyRootfs: true, AutoRemove: true });
      expect(inspect.HostConfig.SecurityOpt).toContain('no-new-privileges');
      // Every bind is read-only; the one writable place is the 4 KiB tmpfs for the many-file reads' separator.
      const mounts = inspect.HostConfig.Mounts!;
      expect(mounts.filter((mount) => mount.Type === 'bind').every((mount) => mount.ReadOnly)).toBe(true);
      expect(mounts.filter((mount) => mount.Type !== 'bind')).toEqual([
        expect.objectContaining({ Type: 'tmpfs', Target: '/run/isolens', TmpfsOptions: expect.objectContaining({ SizeBytes: 4096, Mode: 0o700 }) }),
      ]);
      const scratch = await execIn(id!, ['sh', '-c', 'grep " /run/isolens " /proc/self/mountinfo']);
      expect(scratch.stdout).toMatch(/nosuid,nodev,noexec/);
      // Nothing under the bound cgroupfs is writable, not even for the helper's uid 0 (each v1 hierarchy bound read-only).
      const write = await execIn(id!, ['sh', '-c', 'for f in /host/sys/fs/cgroup/*/cgroup.clone_children; do echo 0 > "$f" && echo "wrote $f"; done; true']);
      expect(write.stdout).toBe('');
      expect(write.stderr).toMatch(/Read-only file system/);
      const self = await source.readText('/proc/self/status');
      expect(self.ok && /^CapEff:\s+0000000000080000$/m.test(self.value)).toBe(true); // CAP_SYS_PTRACE only
    });
  });
});
