// The collector against a real engine: containers with hardening and weakening flags, each fact checked against the kernel.
import { mkdirSync, readFileSync, readlinkSync, writeFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { decodeCapabilityMask } from '../model/capabilities.js';
import { NAMESPACE_KINDS, Snapshot, type ContainerIsolation, type EngineInfo } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import type { ContainerEngine } from '../engine/engine.js';
import { parseInspect } from '../engine/containers.js';
import { collectContainer, collectSnapshot } from './scan.js';
import { execIn, makeSharedMount, removeSharedMount, removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-collect-';
const client = testClient();
const dataDir = '/tmp/isolens-int-collect-data';
const sharedDir = '/tmp/isolens-int-collect-shared';

const customSeccomp = JSON.stringify({
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['chmod', 'fchmod', 'fchmodat'], action: 'SCMP_ACT_ERRNO' }],
});

/** Scenario name → create options. Names are the flags they exercise. */
const scenarios: Record<string, Parameters<typeof startContainer>[1]> = {
  default: {},
  'cap-drop-all': { HostConfig: { CapDrop: ['ALL'], CapAdd: ['NET_BIND_SERVICE'] } },
  'cap-add-admin': { HostConfig: { CapAdd: ['SYS_ADMIN', 'NET_ADMIN'] } },
  'cap-add-all': { HostConfig: { CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'], SecurityOpt: ['seccomp=unconfined'] } },
  'seccomp-unconfined': { HostConfig: { SecurityOpt: ['seccomp=unconfined'] } },
  'seccomp-custom': { HostConfig: { SecurityOpt: [`seccomp=${customSeccomp}`] } },
  'no-new-privileges': { HostConfig: { SecurityOpt: ['no-new-privileges'] } },
  'read-only': { HostConfig: { ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,size=16m' } } },
  limits: { HostConfig: { Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000, PidsLimit: 50, CpusetCpus: '0' } },
  'non-root': { User: '1000:1000' },
  'host-pid': { HostConfig: { PidMode: 'host' } },
  'host-net': { HostConfig: { NetworkMode: 'host' } },
  'host-ipc': { HostConfig: { IpcMode: 'host' } },
  'host-uts': { HostConfig: { UTSMode: 'host' } },
  'sensitive-mounts': { HostConfig: { Binds: ['/etc:/host-etc:ro', '/usr/share:/host-share', `${dataDir}:/data`] } },
  'engine-socket': { HostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } },
  ports: {
    ExposedPorts: { '80/tcp': {}, '443/tcp': {} },
    HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18081' }], '443/tcp': [{ HostIp: '', HostPort: '18443' }] } },
  },
  device: { HostConfig: { Devices: [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/isolens-zero', CgroupPermissions: 'rwm' }] } },
  'cgroupns-private': { HostConfig: { CgroupnsMode: 'private' } as never },
  'shared-propagation': {
    HostConfig: { Mounts: [{ Type: 'bind', Source: sharedDir, Target: '/shared', BindOptions: { Propagation: 'rshared' } }] },
  },
};

const started = new Map<string, StartedContainer>();
let engine: EngineInfo;
let adapter: ContainerEngine;
let snapshot: Snapshot;

function doc(scenario: string): ContainerIsolation {
  const container = snapshot.containers.find((c) => c.name === `${PREFIX}${scenario}`);
  if (!container) throw new Error(`scenario ${scenario} not in the scan`);
  return container;
}

/** What the container's own /proc says, read through the engine (exec), not through the host's /proc. */
async function statusInside(scenario: string): Promise<Record<string, string>> {
  const { stdout } = await execIn(started.get(scenario)!.id, ['cat', '/proc/1/status'], client);
  return Object.fromEntries(stdout.split('\n').filter(Boolean).map((line) => {
    const [key, ...rest] = line.split(':');
    return [key!.trim(), rest.join(':').trim()];
  }));
}

async function catInside(scenario: string, path: string): Promise<string> {
  const { stdout, exitCode, stderr } = await execIn(started.get(scenario)!.id, ['cat', path], client);
  if (exitCode !== 0) throw new Error(`cat ${path}: ${stderr}`);
  return stdout.trim();
}

describe.skipIf(noEngine)('collect on a real engine', () => {
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    mkdirSync(dataDir, { recursive: true });
    makeSharedMount(sharedDir);
    for (const [scenario, options] of Object.entries(scenarios)) {
      started.set(scenario, await startContainer(`${PREFIX}${scenario}`, options, client));
    }
    ({ engine, adapter } = await openEngine({}));
    snapshot = await collectSnapshot(adapter, engine);
  });

  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
    removeSharedMount(sharedDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scans every running container, and the document validates against the zod model and docs/isolens.schema.json', () => {
    for (const scenario of Object.keys(scenarios)) expect(doc(scenario).state).toBe('running');
    expect(() => Snapshot.parse(snapshot)).not.toThrow();
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const schema = JSON.parse(readFileSync(new URL('../../docs/isolens.schema.json', import.meta.url), 'utf8'));
    const validate = ajv.compile(schema);
    const valid = validate(JSON.parse(JSON.stringify(snapshot)));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(snapshot.engine.kind).toBe('docker');
  });

  it('namespaces: inode and sharing match /proc/PID/ns against /proc/self/ns, for every kind', () => {
    for (const scenario of Object.keys(scenarios)) {
      const container = doc(scenario);
      const pid = started.get(scenario)!.pid;
      for (const kind of NAMESPACE_KINDS) {
        const mine = readlinkSync(`/proc/${pid}/ns/${kind}`);
        const host = readlinkSync(`/proc/self/ns/${kind}`);
        expect(container.namespaces[kind], `${scenario} ${kind}`).toMatchObject({
          inode: Number(/\[(\d+)\]/.exec(mine)![1]),
          sharedWithHost: mine === host,
          source: 'kernel',
        });
      }
    }
  });

  it('namespaces: the host flags share exactly the namespace they name', () => {
    const shared = (scenario: string) => NAMESPACE_KINDS.filter((k) => doc(scenario).namespaces[k].sharedWithHost);
    // On cgroup v1 Docker shares the cgroup namespace by default; nobody creates time namespaces.
    const baseline = engine.cgroupVersion === 1 ? ['user', 'cgroup', 'time'] : ['user', 'time'];
    expect(shared('default').sort()).toEqual([...baseline].sort());
    expect(shared('host-pid').sort()).toEqual([...baseline, 'pid'].sort());
    expect(shared('host-net').sort()).toEqual([...baseline, 'net'].sort());
    expect(shared('host-ipc').sort()).toEqual([...baseline, 'ipc'].sort());
    expect(shared('host-uts').sort()).toEqual([...baseline, 'uts'].sort());
    expect(doc('cgroupns-private').namespaces.cgroup.sharedWithHost).toBe(false);
    expect(doc('default').user.userns).toBe('host');
  });

  it('capabilities: every set equals what the container\'s own /proc/1/status decodes to', async () => {
    for (const scenario of ['default', 'cap-drop-all', 'cap-add-admin', 'cap-add-all', 'non-root']) {
      const status = await statusInside(scenario);
      const caps = doc(scenario).capabilities!;
      expect(caps.effective, scenario).toEqual(decodeCapabilityMask(BigInt(`0x${status.CapEff}`)));
      expect(caps.bounding, scenario).toEqual(decodeCapabilityMask(BigInt(`0x${status.CapBnd}`)));
      expect(caps.permitted, scenario).toEqual(decodeCapabilityMask(BigInt(`0x${status.CapPrm}`)));
      expect(doc(scenario).sources.capabilities).toBe('kernel');
    }
    expect(doc('cap-drop-all').capabilities!.effective).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(doc('cap-drop-all').capabilities!.droppedVsDefault).toContain('CAP_CHOWN');
    expect(doc('cap-add-admin').capabilities!.addedVsDefault).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_ADMIN']);
    expect(doc('default').capabilities!.addedVsDefault).toEqual([]);
    expect(doc('default').capabilities!.droppedVsDefault).toEqual([]);
    expect(doc('cap-add-all').capabilities!.effective).toContain('CAP_SYS_MODULE');
    expect(doc('cap-add-all').capabilities!.effective).not.toContain('CAP_SYS_RESOURCE');
    expect(doc('non-root').capabilities!.effective).toEqual([]);
  });

  it('seccomp mode, profile and filter count; no-new-privileges', async () => {
    const seccompInside = async (s: string) => (await statusInside(s)).Seccomp;
    expect(await seccompInside('default')).toBe('2');
    expect(doc('default').seccomp).toMatchObject({ mode: 'filter', profile: 'default' });
    expect(await seccompInside('seccomp-unconfined')).toBe('0');
    expect(doc('seccomp-unconfined').seccomp).toMatchObject({ mode: 'disabled', profile: 'unconfined' });
    expect(doc('seccomp-custom').seccomp).toMatchObject({ mode: 'filter', profile: 'custom' });
    const filters = (await statusInside('default')).Seccomp_filters;
    if (filters !== undefined) expect(doc('default').seccomp.filters).toBe(Number(filters));
    expect((await statusInside('no-new-privileges')).NoNewPrivs).toBe('1');
    expect(doc('no-new-privileges').noNewPrivileges).toBe(true);
    expect(doc('default').noNewPrivileges).toBe(false);
  });

  it('user: uid/gid of the main process as the kernel reports them', async () => {
    const { stdout } = await execIn(started.get('non-root')!.id, ['id', '-u'], client);
    expect(doc('non-root').user).toMatchObject({ uid: Number(stdout.trim()), gid: 1000, userns: 'host', configured: '1000:1000' });
    expect(doc('default').user).toMatchObject({ uid: 0, gid: 0, userns: 'host' });
  });

  it('read-only root filesystem: a write fails inside, and the kernel flag is reported', async () => {
    const write = await execIn(started.get('read-only')!.id, ['touch', '/isolens-probe'], client);
    expect(write.exitCode).not.toBe(0);
    expect(doc('read-only').readOnlyRootfs).toBe(true);
    expect(doc('read-only').sources.readOnlyRootfs).toBe('kernel');
    expect(doc('default').readOnlyRootfs).toBe(false);
    expect(doc('read-only').mounts.find((m) => m.destination === '/tmp')).toMatchObject({ type: 'tmpfs', readOnly: false });
  });

  it('cgroup limits equal the cgroupfs files the container sees; none is null, not a sentinel', async () => {
    const limits = doc('limits').cgroup;
    const v1 = engine.cgroupVersion === 1;
    const memory = Number(await catInside('limits', v1 ? '/sys/fs/cgroup/memory/memory.limit_in_bytes' : '/sys/fs/cgroup/memory.max'));
    expect(limits.memoryLimitBytes).toBe(memory);
    expect(limits.memoryLimitBytes).toBe(64 * 1024 * 1024);
    expect(limits.cpuQuotaCores).toBe(0.5);
    expect(limits.pidsLimit).toBe(Number(await catInside('limits', v1 ? '/sys/fs/cgroup/pids/pids.max' : '/sys/fs/cgroup/pids.max')));
    expect(limits.pidsLimit).toBe(50);
    expect(limits.cpusetCpus).toBe('0');
    expect(limits.version).toBe(engine.cgroupVersion);
    expect(limits.path).toContain(started.get('limits')!.id);
    expect(doc('default').cgroup).toMatchObject({ memoryLimitBytes: null, cpuQuotaCores: null, pidsLimit: null });
  });

  it('mounts: sensitive host paths flagged with the kernel\'s read-only flag; engine files are not sensitive', () => {
    const mounts = doc('sensitive-mounts').mounts;
    expect(mounts.find((m) => m.destination === '/host-etc')).toMatchObject({ source: '/etc', readOnly: true, sensitive: true, origin: 'engine' });
    expect(mounts.find((m) => m.destination === '/host-share')).toMatchObject({ source: '/usr/share', readOnly: false, sensitive: true });
    expect(mounts.find((m) => m.destination === '/data')).toMatchObject({ source: dataDir, readOnly: false, sensitive: false });
    for (const file of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) {
      expect(mounts.find((m) => m.destination === file)).toMatchObject({ sensitive: false, origin: 'engine-file' });
    }
    expect(mounts[0]!.sensitive).toBe(true); // sensitive first
    const socket = doc('engine-socket').mounts.find((m) => m.destination === '/var/run/docker.sock');
    expect(socket).toMatchObject({ sensitive: true, readOnly: false });
    expect(socket!.sensitiveReason).toMatch(/Docker API socket/);
    expect(doc('default').mounts.find((m) => m.destination === '/')).toMatchObject({ origin: 'runtime', readOnly: false });
    expect(doc('default').mounts.find((m) => m.destination === '/sys')).toMatchObject({ type: 'sysfs', readOnly: true });
  });

  it('mount propagation read from mountinfo', () => {
    expect(doc('shared-propagation').mounts.find((m) => m.destination === '/shared')).toMatchObject({ propagation: 'shared' });
    expect(doc('sensitive-mounts').mounts.find((m) => m.destination === '/data')).toMatchObject({ propagation: 'private' });
  });

  it('published ports as numbers with the host address; devices', async () => {
    // Docker publishes an all-interfaces binding on IPv6 too (hostIp "::") where the host has IPv6.
    const ports = doc('ports').ports;
    expect(ports.filter((p) => p.hostIp !== '::')).toEqual([
      { hostIp: '127.0.0.1', hostPort: 18081, containerPort: 80, protocol: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: 18443, containerPort: 443, protocol: 'tcp' },
    ]);
    expect(ports.filter((p) => p.hostIp === '::').map((p) => p.hostPort)).toEqual(ports.some((p) => p.hostIp === '::') ? [18443] : []);
    expect(doc('device').devices).toEqual([{ pathOnHost: '/dev/zero', pathInContainer: '/dev/isolens-zero', permissions: 'rwm' }]);
    expect((await execIn(started.get('device')!.id, ['ls', '/dev/isolens-zero'], client)).exitCode).toBe(0);
  });

  it('records a mismatch when the kernel disagrees with the engine, and reports the kernel\'s value', async () => {
    const id = started.get('limits')!.id;
    const cgroupPath = doc('limits').cgroup.path!;
    const file = engine.cgroupVersion === 1
      ? `/sys/fs/cgroup/memory${cgroupPath}/memory.limit_in_bytes`
      : `/sys/fs/cgroup${cgroupPath}/memory.max`;
    writeFileSync(file, String(128 * 1024 * 1024));
    const again = await collectSnapshot(adapter, engine, { container: id });
    const container = again.containers[0]!;
    expect(container.cgroup.memoryLimitBytes).toBe(128 * 1024 * 1024);
    expect(container.mismatches).toContainEqual({ fact: 'cgroup.memoryLimitBytes', kernel: 128 * 1024 * 1024, config: 64 * 1024 * 1024 });
  });

  it('a container that exits mid-scan becomes gaps, not a crash', async () => {
    const victim = await startContainer(`${PREFIX}vanishing`, {}, client);
    const inspect = parseInspect(await client.getContainer(victim.id).inspect());
    await client.getContainer(victim.id).remove({ force: true });
    const container = await collectContainer(inspect, engine);
    expect(container.capabilities).not.toBeNull(); // from config
    expect(container.sources.capabilities).toBe('config');
    expect(container.gaps.map((g) => g.fact)).toEqual(expect.arrayContaining(['namespaces', 'capabilities', 'cgroup']));
    expect(container.gaps[0]!.reason).toMatch(/exited during the scan/);
  });

  it('--container filters by name and by id prefix', async () => {
    const byName = await collectSnapshot(adapter, engine, { container: `${PREFIX}host-pid` });
    expect(byName.containers.map((c) => c.name)).toEqual([`${PREFIX}host-pid`]);
    const byId = await collectSnapshot(adapter, engine, { container: started.get('host-net')!.id.slice(0, 12) });
    expect(byId.containers.map((c) => c.name)).toEqual([`${PREFIX}host-net`]);
  });
});
