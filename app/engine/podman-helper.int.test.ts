// The helper kernel source on a real rootful Podman service: the facts it reads through a helper container equal the
// ones read locally from this host for the same containers, the helper holds only what it should (checked from inside
// it), Podman's cgroup layout (libpod_parent/libpod-ID) is followed, and nothing is left behind: no helper, no
// directory in the host's /sys/fs/cgroup (Podman creates a missing bind source where Docker refuses it).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerIsolation, EngineInfo } from '../model/schema.js';
import type { ContainerEngine } from './engine.js';
import { openEngine } from './open.js';
import { startHelper } from './helper.js';
import { snapshotFromInspects } from '../collect/scan.js';
import type { InspectDocument } from '../collect/config.js';
import { assessSnapshot } from '../assess.js';
import { HelperKernelSource } from '../kernel/helper-source.js';
import { LOCAL_HOST_SOURCE, type KernelSource } from '../kernel/source.js';
import { parseMountinfo } from '../kernel/mountinfo.js';
import { TEST_IMAGE } from '../../e2e/harness/engine.js';
import { PODMAN_ULIMITS } from '../../e2e/harness/rootless.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const hasPodman = spawnSync('podman', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
const PREFIX = 'isolens-int-podhelper-';
const IMAGE = `localhost/${TEST_IMAGE}`;
const socket = `/tmp/isolens-int-podhelper-${process.pid}.sock`;

function podman(...args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function removeOurs(): void {
  const ids = podman('ps', '-aq', '--filter', `name=^${PREFIX}`);
  if (ids) spawnSync('podman', ['rm', '-f', '-t', '0', ...ids.split('\n')]);
}

function helpersOfThisProcess(): string[] {
  const out = podman('ps', '-aq', '--filter', 'label=io.isolens.owner=helper', '--filter', `label=io.isolens.helper.owner=${hostname()}/${process.pid}`);
  return out ? out.split('\n') : [];
}

/** The kernel facts a helper and a local reader must agree on, and what the rules make of them. */
function facts(doc: ContainerIsolation) {
  const { capabilities, cgroup, namespaces, mounts, user, seccomp, sources, gaps, readOnlyRootfs, noNewPrivileges, score } = doc;
  return { capabilities, cgroup, namespaces, mounts, user, seccomp, sources, gaps, readOnlyRootfs, noNewPrivileges, score, findings: doc.findings.map((f) => `${f.ruleId}:${f.severity}`) };
}

// Without podman (a developer machine) this is skipped; .ci/run installs podman, so in CI a missing podman fails the
// beforeAll instead of skipping. Root only: the local reading it is compared with, and a rootful Podman, need root.
describe.skipIf(noEngine || !isRoot || (!hasPodman && !process.env.CI))('the helper kernel source on a real Podman service', () => {
  let service: ChildProcess | undefined;
  let adapter: ContainerEngine;
  let engine: EngineInfo;
  let inspects: InspectDocument[] = [];
  const cgroupEntriesBefore = readdirSync('/sys/fs/cgroup').sort();
  const scans: Record<'local' | 'helper', ContainerIsolation[]> = { local: [], helper: [] };

  async function scan(source: KernelSource): Promise<ContainerIsolation[]> {
    return assessSnapshot(await snapshotFromInspects(inspects, engine, { source })).containers;
  }

  beforeAll(async () => {
    removeOurs();
    if (spawnSync('podman', ['image', 'exists', IMAGE]).status !== 0) {
      // No registry here: the test image comes from the Docker engine.
      const archive = `/tmp/isolens-int-podhelper-image-${process.pid}.tar`;
      execFileSync('docker', ['save', TEST_IMAGE, '-o', archive]);
      podman('load', '-i', archive);
      rmSync(archive, { force: true });
    }
    const variants: Record<string, string[]> = {
      default: [],
      limited: ['--memory', '48m', '--cpus', '0.5', '--pids-limit', '25', '--cpuset-cpus', '0'],
      hardened: ['--cap-drop', 'ALL', '--read-only', '--security-opt', 'no-new-privileges', '--user', '1000:1000'],
      'host-pid': ['--pid', 'host', '--cap-add', 'SYS_PTRACE'],
    };
    const ids = Object.entries(variants).map(([name, flags]) =>
      podman('run', '-d', '--name', `${PREFIX}${name}`, '--label', 'io.isolens.owner=test', ...PODMAN_ULIMITS, ...flags, IMAGE, 'sleep', '600'),
    );
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const opened = await openEngine({ host: `unix://${socket}` });
    adapter = opened.adapter;
    engine = opened.engine;
    for (const id of ids) {
      const inspected = await adapter.inspect(id);
      if (!inspected.ok) throw new Error(`container ${id} could not be inspected: ${inspected.reason}`);
      inspects.push(inspected.value);
    }
    scans.local = await scan(LOCAL_HOST_SOURCE);
    const connection = await startHelper(adapter, engine, { image: IMAGE });
    const helper = new HelperKernelSource(connection, { detail: 'test' });
    try {
      scans.helper = await scan(helper);
    } finally {
      await helper.close();
    }
  }, 120_000);

  afterAll(async () => {
    removeOurs();
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once('exit', resolve));
      service.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (service.exitCode === null) service.kill('SIGKILL');
    }
    rmSync(socket, { force: true });
  });

  it('reads every container from the kernel, following Podman\'s cgroup layout', () => {
    expect(engine.kind).toBe('podman');
    expect(scans.helper).toHaveLength(inspects.length);
    for (const doc of scans.helper) {
      expect(doc.gaps, doc.name).toEqual([]);
      expect(doc.sources.capabilities, doc.name).toBe('kernel');
      expect(doc.sources.cgroup, doc.name).toBe('kernel');
      expect(doc.namespaces.pid.source, doc.name).toBe('kernel');
      expect(doc.cgroup.path, doc.name).toContain(`libpod-${doc.id}`);
    }
    const limited = scans.helper.find((doc) => doc.name === `${PREFIX}limited`)!;
    expect(limited.cgroup).toMatchObject({ memoryLimitBytes: 48 << 20, pidsLimit: 25, cpuQuotaCores: 0.5, cpusetCpus: '0' });
    expect(scans.helper.find((doc) => doc.name === `${PREFIX}host-pid`)!.namespaces.pid.sharedWithHost).toBe(true);
    expect(scans.helper.find((doc) => doc.name === `${PREFIX}hardened`)!.capabilities!.effective).toEqual([]);
  });

  it('gives the same facts and findings as reading this host locally', () => {
    for (const doc of scans.local) expect(doc.gaps, doc.name).toEqual([]);
    const local = new Map(scans.local.map((doc) => [doc.id, facts(doc)]));
    for (const doc of scans.helper) expect(facts(doc), doc.name).toEqual(local.get(doc.id));
  });

  it('holds only CAP_SYS_PTRACE, a read-only root and cgroupfs, and a private noexec tmpfs, seen from inside', async () => {
    const connection = await startHelper(adapter, engine, { image: IMAGE });
    const helper = new HelperKernelSource(connection, { detail: 'test' });
    try {
      const inspected = JSON.parse(podman('inspect', connection.id))[0];
      expect(inspected.Config.Labels).toMatchObject({ 'io.isolens.owner': 'helper', 'io.isolens.helper.owner': `${hostname()}/${process.pid}` });
      const status = await helper.readText('/proc/self/status');
      expect(status.ok).toBe(true);
      const text = status.ok ? status.value : '';
      expect(text).toMatch(/^CapEff:\s+0000000000080000$/m);
      expect(text).toMatch(/^CapBnd:\s+0000000000080000$/m);
      expect(text).toMatch(/^NoNewPrivs:\s+1$/m);
      const mountinfo = await helper.readText('/proc/self/mountinfo');
      const mounts = parseMountinfo(mountinfo.ok ? mountinfo.value : '');
      expect(mounts.find((mount) => mount.mountPoint === '/')?.readOnly).toBe(true);
      const scratch = mounts.find((mount) => mount.mountPoint === '/run/isolens');
      expect(scratch?.fsType).toBe('tmpfs');
      expect(scratch?.mountOptions).toEqual(expect.arrayContaining(['nosuid', 'nodev', 'noexec']));
      expect(scratch?.superOptions).toEqual(expect.arrayContaining(['mode=700']));
      const cgroupMounts = mounts.filter((mount) => mount.mountPoint.startsWith('/host/sys/fs/cgroup'));
      // cgroup v1: each hierarchy the host mounts, bound on its own; v2: the one unified hierarchy.
      const hostHierarchies =
        engine.cgroupVersion === 1
          ? readdirSync('/sys/fs/cgroup').filter((name) => spawnSync('mountpoint', ['-q', `/sys/fs/cgroup/${name}`]).status === 0).map((name) => `/host/sys/fs/cgroup/${name}`)
          : ['/host/sys/fs/cgroup'];
      expect(cgroupMounts.map((mount) => mount.mountPoint).sort()).toEqual(hostHierarchies.sort());
      for (const mount of cgroupMounts) expect(mount.readOnly, mount.mountPoint).toBe(true);
      // The only writable mounts are the scratch tmpfs and what every container has (/dev, /proc, …); Podman's own
      // tmpfs for a --read-only container (/tmp, /run, /var/tmp) are replaced by read-only ones.
      const writable = mounts.filter((mount) => !mount.readOnly && !/^\/(?:dev|proc|sys)(?:\/|$)/.test(mount.mountPoint)).map((mount) => mount.mountPoint);
      expect(writable).toEqual(['/run/isolens']);
      for (const path of ['/tmp', '/run', '/var/tmp']) expect(mounts.find((mount) => mount.mountPoint === path)?.readOnly ?? true, path).toBe(true);
    } finally {
      await helper.close();
    }
  });

  it('leaves no helper container and no new directory in the host\'s /sys/fs/cgroup', () => {
    expect(helpersOfThisProcess()).toEqual([]);
    expect(readdirSync('/sys/fs/cgroup').sort()).toEqual(cgroupEntriesBefore);
  });
});
