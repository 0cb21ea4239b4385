import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_HOST_SOURCE, localSource } from './source.js';
import {
  ancestorPaths,
  locateCgroup,
  parseBlkioServiceBytes,
  parseCpuList,
  parseCpuMax,
  parseCpuMaxCores,
  parseIoStat,
  parseMaxOrNumber,
  parseProcCgroup,
  parseV1CpuQuotaCores,
  parseV1MemoryLimit,
  readCgroupLimits,
  readCgroupUsage,
  sumIoStat,
} from './cgroup.js';
import { parseFlatKeyed } from './fixtures/flat-keyed.js';
import { containerId, fixturePath, fixtureText } from './fixtures/load.js';

const LIMITED = 'container-limited-64m-half-cpu-50-pids-cpuset-0';
const USAGE = 'container-usage-oom-throttled-io';
const V2_LIMITED = 'cgroup-v2-doc-format-limited';
const V2_UNLIMITED = 'cgroup-v2-doc-format-unlimited';
const V2_PARENT = 'cgroup-v2-doc-format-parent-limited';
const PARENT = 'container-cgroup-parent-32m-quarter-cpu-20-pids';
const FORKS_REFUSED = 'container-pids-limit-5-forks-refused';

/** The captured /proc/PID/cgroup and cgroupfs tree of a v1 container. */
const v1 = (scenario: string) => [fixtureText(scenario, 'cgroup'), localSource({ cgroupRoot: fixturePath(scenario, 'cgroupfs') })] as const;
/** The constructed v2 tree (formats per Documentation/admin-guide/cgroup-v2.rst). */
const v2 = (name: string) => [fixtureText(name, 'proc-cgroup'), localSource({ cgroupRoot: fixturePath(name, 'cgroupfs') })] as const;

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

describe('parseProcCgroup', () => {
  it('a container on this hybrid host: v1 hierarchies plus the unified one', () => {
    const parsed = parseProcCgroup(fixtureText(LIMITED, 'cgroup'));
    const id = containerId(LIMITED);
    expect(parsed.version).toBe(1);
    expect(parsed.hybrid).toBe(true);
    expect(parsed.entries).toHaveLength(10);
    expect(parsed.entries).toContainEqual({ hierarchyId: 4, controllers: ['memory'], path: `/docker/${id}` });
    expect(parsed.entries).toContainEqual({ hierarchyId: 9, controllers: ['name=systemd'], path: `/docker/${id}` });
    expect(parsed.entries).toContainEqual({ hierarchyId: 0, controllers: [], path: `/docker/${id}` });
  });

  it('cgroup v2 only: one "0::/path" line', () => {
    const parsed = parseProcCgroup(fixtureText(V2_LIMITED, 'proc-cgroup'));
    expect(parsed.version).toBe(2);
    expect(parsed.hybrid).toBe(false);
    expect(parsed.entries).toEqual([{ hierarchyId: 0, controllers: [], path: expect.stringMatching(/^\/system\.slice\/docker-[0-9a-f]{64}\.scope$/) }]);
  });

  it('seen from inside a private cgroup namespace every path is "/"', () => {
    const parsed = parseProcCgroup(fixtureText('container-cgroupns-private', 'cgroup-inside'));
    expect(new Set(parsed.entries.map((e) => e.path))).toEqual(new Set(['/']));
    // From the host the same process shows its real path.
    expect(fixtureText('container-cgroupns-private', 'cgroup')).toContain(`/docker/${containerId('container-cgroupns-private')}`);
  });

  it('refuses text with no hierarchy', () => {
    expect(() => parseProcCgroup('')).toThrow(/no hierarchy/);
  });
});

describe('locateCgroup', () => {
  it('v1: each controller under its hierarchy directory, the path of the memory hierarchy', () => {
    const id = containerId(LIMITED);
    const location = locateCgroup(parseProcCgroup(fixtureText(LIMITED, 'cgroup')), '/sys/fs/cgroup');
    expect(location).toMatchObject({ version: 1, path: `/docker/${id}` });
    if (location.version !== 1) return;
    expect(location.directories.memory).toBe(`/sys/fs/cgroup/memory/docker/${id}`);
    expect(location.directories.cpuacct).toBe(`/sys/fs/cgroup/cpuacct/docker/${id}`);
  });

  it('v1 with co-mounted controllers (systemd mounts cpu,cpuacct together): the joined directory', () => {
    const id = containerId(LIMITED);
    // This host mounts cpu and cpuacct apart; systemd hosts list them on one line, so join the captured two.
    const comounted = fixtureText(LIMITED, 'cgroup').replace(`2:cpuacct:/docker/${id}\n`, '').replace('1:cpu:', '1:cpu,cpuacct:');
    const location = locateCgroup(parseProcCgroup(comounted), '/sys/fs/cgroup');
    expect(location.version === 1 && location.directories.cpuacct).toBe(`/sys/fs/cgroup/cpu,cpuacct/docker/${id}`);
  });

  it('v2: the one directory under the root', () => {
    const location = locateCgroup(parseProcCgroup(fixtureText(V2_LIMITED, 'proc-cgroup')), '/sys/fs/cgroup');
    expect(location).toMatchObject({ version: 2, directory: expect.stringMatching(/^\/sys\/fs\/cgroup\/system\.slice\/docker-[0-9a-f]{64}\.scope$/) });
  });

  it('hybrid with no v1 resource controller (only name=systemd): the unified hierarchy under <root>/unified', () => {
    const id = containerId(LIMITED);
    const text = fixtureText(LIMITED, 'cgroup').split('\n').filter((l) => l.startsWith('9:') || l.startsWith('0:')).join('\n');
    expect(locateCgroup(parseProcCgroup(text), '/sys/fs/cgroup')).toEqual({ version: 2, path: `/docker/${id}`, directory: `/sys/fs/cgroup/unified/docker/${id}` });
  });
});

describe('file parsers', () => {
  it("v1 memory.limit_in_bytes: the kernel's unlimited value is null, never a number", () => {
    expect(parseV1MemoryLimit(readFileSync(join(fixturePath('container-default', 'cgroupfs'), 'memory', 'docker', containerId('container-default'), 'memory.limit_in_bytes'), 'utf8'))).toBeNull();
    expect(parseV1MemoryLimit('9223372036854771712\n')).toBeNull(); // 4 KiB pages
    expect(parseV1MemoryLimit('9223372036854710272\n')).toBeNull(); // 64 KiB pages
    expect(parseV1MemoryLimit('67108864\n')).toBe(67108864);
  });

  it('cpu quota: v1 -1 and v2 "max" are unlimited; otherwise quota / period', () => {
    expect(parseV1CpuQuotaCores('-1\n', '100000\n')).toBeNull();
    expect(parseV1CpuQuotaCores('20000\n', '100000\n')).toBe(0.2);
    expect(parseCpuMax('max 100000\n')).toEqual({ quotaUs: null, periodUs: 100000 });
    expect(parseCpuMaxCores('150000 100000\n')).toBe(1.5);
    expect(() => parseCpuMax('max\n')).toThrow();
  });

  it('pids.max, cpu lists, flat-keyed files', () => {
    expect(parseMaxOrNumber('max\n')).toBeNull();
    expect(parseMaxOrNumber('50\n')).toBe(50);
    expect(parseCpuList('0-4,6,8-10\n')).toBe('0-4,6,8-10');
    expect(parseCpuList('\n')).toBeNull();
    const oomControl = parseFlatKeyed(fixtureText(USAGE, 'cgroupfs', 'memory', 'docker', containerId(USAGE), 'memory.oom_control'));
    expect(oomControl).toEqual(new Map([['oom_kill_disable', 0n], ['under_oom', 0n], ['oom_kill', 1n]]));
  });

  it('block I/O: v1 sums Read/Write over devices (ignoring Total), v2 sums rbytes/wbytes', () => {
    const blkio = fixtureText(USAGE, 'cgroupfs', 'blkio', 'docker', containerId(USAGE), 'blkio.throttle.io_service_bytes_recursive');
    expect(parseBlkioServiceBytes(blkio)).toEqual({ readBytes: 8519680, writeBytes: 8388608 });
    expect(parseBlkioServiceBytes('Total 0\n')).toEqual({ readBytes: 0, writeBytes: 0 });
    const devices = parseIoStat('8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021\n');
    expect(devices.map((d) => d.device)).toEqual(['8:16', '8:0']);
    expect(devices[1]!.values.get('dbytes')).toBe(50331648n);
    expect(sumIoStat(devices)).toEqual({ readBytes: 1459200 + 90430464, writeBytes: 314773504 + 299008000 });
  });
});

describe('readCgroupLimits', () => {
  it('v1, --memory 64m --cpus 0.5 --pids-limit 50 --cpuset-cpus 0', async () => {
    const limits = await readCgroupLimits(...v1(LIMITED));
    expect(limits).toEqual({
      version: 1,
      path: `/docker/${containerId(LIMITED)}`,
      memoryLimitBytes: 67108864,
      cpuQuotaCores: 0.5,
      cpusetCpus: '0',
      pidsLimit: 50,
      cpuShares: 1024,
      cpuWeight: null,
      // No ancestor of /docker/<id> limits anything: what applies is the container's own level.
      effective: {
        memoryLimitBytes: { value: 67108864, setBy: `/docker/${containerId(LIMITED)}` },
        cpuQuotaCores: { value: 0.5, setBy: `/docker/${containerId(LIMITED)}` },
        pidsLimit: { value: 50, setBy: `/docker/${containerId(LIMITED)}` },
      },
      gaps: [],
    });
  });

  it('v1 under --cgroup-parent (captured): the parent\'s tighter memory and CPU limits apply, the container\'s own tighter PID limit applies', async () => {
    const limits = await readCgroupLimits(...v1(PARENT));
    const own = `/isolens-kern-parent/${containerId(PARENT)}`;
    expect(limits).toMatchObject({ path: own, memoryLimitBytes: 67108864, cpuQuotaCores: null, pidsLimit: 10, gaps: [] });
    expect(limits.effective).toEqual({
      memoryLimitBytes: { value: 33554432, setBy: '/isolens-kern-parent' },
      cpuQuotaCores: { value: 0.25, setBy: '/isolens-kern-parent' },
      pidsLimit: { value: 10, setBy: own },
    });
  });

  it('v2 (doc format) under a limited parent slice: the same, from memory.max, cpu.max and pids.max on the way up', async () => {
    const limits = await readCgroupLimits(...v2(V2_PARENT));
    expect(limits).toMatchObject({ memoryLimitBytes: 67108864, cpuQuotaCores: null, pidsLimit: 10, gaps: [] });
    expect(limits.effective).toEqual({
      memoryLimitBytes: { value: 33554432, setBy: '/isolens.slice' },
      cpuQuotaCores: { value: 0.25, setBy: '/isolens.slice' },
      pidsLimit: { value: 10, setBy: limits.path },
    });
  });

  it('no level limits anything: every effective limit is null with no level named', async () => {
    for (const [text, root] of [v1('container-default'), v2(V2_UNLIMITED)]) {
      const { effective } = await readCgroupLimits(text, root);
      expect(effective).toEqual({ memoryLimitBytes: { value: null, setBy: null }, cpuQuotaCores: { value: null, setBy: null }, pidsLimit: { value: null, setBy: null } });
    }
  });

  it('with one shared map per scan, ancestors\' files are read once for all containers, with the same results', async () => {
    for (const [text, source] of [v1(PARENT), v2(V2_PARENT)]) {
      const read: string[] = [];
      const counting = { ...source, readMany: (requests: Parameters<typeof source.readMany>[0]) => {
        read.push(...requests.map((request) => request.path));
        return source.readMany(requests);
      } };
      const alone = await readCgroupLimits(text, source);
      const shared = new Map();
      const first = await readCgroupLimits(text, counting, shared);
      const firstReads = read.length;
      // A sibling under the same parent (here the same container again) reads only its own files.
      const second = await readCgroupLimits(text, counting, shared);
      expect(first).toEqual(alone);
      expect(second).toEqual(alone);
      const ownReads = read.length - firstReads;
      expect(shared.size).toBeGreaterThan(0);
      expect(ownReads).toBe(firstReads - shared.size);
      expect(read.slice(firstReads).some((path) => shared.has(path))).toBe(false);
    }
  });

  it('containers read at the same time share one read of the ancestors\' files, with the same results', async () => {
    for (const [text, source] of [v1(PARENT), v2(V2_PARENT)]) {
      const read: string[] = [];
      const counting = { ...source, readMany: (requests: Parameters<typeof source.readMany>[0]) => {
        read.push(...requests.map((request) => request.path));
        return source.readMany(requests);
      } };
      const alone = await readCgroupLimits(text, counting);
      const readsAlone = read.length;
      read.length = 0;
      const shared = new Map();
      // As a scan does: 16 containers started before any has its answer.
      const all = await Promise.all(Array.from({ length: 16 }, () => readCgroupLimits(text, counting, shared)));
      for (const limits of all) expect(limits).toEqual(alone);
      const perPath = new Map<string, number>();
      for (const path of read) perPath.set(path, (perPath.get(path) ?? 0) + 1);
      expect(shared.size).toBeGreaterThan(0);
      for (const path of shared.keys()) expect(perPath.get(path)).toBe(1);
      expect(read.length).toBe(16 * (readsAlone - shared.size) + shared.size);
    }
  });

  it('ancestors are every level up to the hierarchy root, nearest first', () => {
    expect(ancestorPaths('/system.slice/docker-1.scope')).toEqual(['/system.slice', '/']);
    expect(ancestorPaths('/a/b/c')).toEqual(['/a/b', '/a', '/']);
    expect(ancestorPaths('/')).toEqual([]);
  });

  it('an ancestor that cannot be read (not merely absent) is a gap on the effective limit, the own level still counts', async () => {
    const [text] = v2(V2_PARENT);
    const source = localSource({ cgroupRoot: fixturePath(V2_PARENT, 'cgroupfs') });
    const denied = { ...source, readMany: async (requests: Parameters<typeof source.readMany>[0]) => {
      const answers = await source.readMany(requests);
      return answers.map((answer, index) => (requests[index]!.path.endsWith('/isolens.slice/memory.max') ? { ok: false as const, reason: 'permission' as const, message: 'permission denied' } : answer));
    } };
    const limits = await readCgroupLimits(text, denied);
    expect(limits.effective!.memoryLimitBytes).toEqual({ value: 67108864, setBy: limits.path });
    expect(limits.gaps).toEqual([{ fact: 'cgroup.effective.memoryLimitBytes', reason: expect.stringContaining('ancestor cgroup /isolens.slice could not be read: permission denied') }]);
  });

  it('v1, no limits: null for unlimited, the cpuset is every CPU', async () => {
    const limits = await readCgroupLimits(...v1('container-default'));
    expect(limits).toMatchObject({ version: 1, memoryLimitBytes: null, cpuQuotaCores: null, cpusetCpus: '0-1', pidsLimit: null, gaps: [] });
  });

  it('v2 (doc format), limited: the same meaning from memory.max, cpu.max, pids.max, cpuset.cpus.effective', async () => {
    const limits = await readCgroupLimits(...v2(V2_LIMITED));
    expect(limits).toMatchObject({ version: 2, path: expect.stringMatching(/^\/system\.slice\/docker-/), memoryLimitBytes: 67108864, cpuQuotaCores: 0.5, cpusetCpus: '0', pidsLimit: 50, cpuShares: null, cpuWeight: 100, gaps: [] });
  });

  it('v2 (doc format), unlimited: "max" everywhere is null', async () => {
    const limits = await readCgroupLimits(...v2(V2_UNLIMITED));
    expect(limits).toMatchObject({ version: 2, memoryLimitBytes: null, cpuQuotaCores: null, cpusetCpus: '0-1', pidsLimit: null, gaps: [] });
  });

  it('a controller that is not mounted is a gap naming it, the other limits still read', async () => {
    const [text, root] = v1(LIMITED);
    const withoutPids = text.split('\n').filter((line) => !line.startsWith('8:pids:')).join('\n');
    const limits = await readCgroupLimits(withoutPids, root);
    expect(limits.pidsLimit).toBeNull();
    expect(limits.memoryLimitBytes).toBe(67108864);
    expect(limits.gaps).toEqual([{ fact: 'cgroup.pidsLimit', reason: expect.stringContaining('pids controller is not mounted') }]);
  });

  it('files that are not there (cgroup gone, controller not enabled) are gaps, not throws', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kern-cgroup-'));
    roots.push(empty);
    const limits = await readCgroupLimits(fixtureText(V2_LIMITED, 'proc-cgroup'), localSource({ cgroupRoot: empty }));
    expect(limits.memoryLimitBytes).toBeNull();
    expect(limits.gaps.map((g) => g.fact)).toEqual(['cgroup.memoryLimitBytes', 'cgroup.cpuQuotaCores', 'cgroup.cpusetCpus', 'cgroup.pidsLimit', 'cgroup.cpuWeight']);
    // The container's cgroup directory itself is gone: it stopped, which is not a missing controller.
    expect(limits.gaps[0]!.reason).toMatch(/^the cgroup .* no longer exists \(its container stopped before memory\.max could be read\)$/);
    // The directory is there but without the controller's files: the controller is not enabled for it.
    mkdirSync(join(empty, limits.path!), { recursive: true });
    const bare = await readCgroupLimits(fixtureText(V2_LIMITED, 'proc-cgroup'), localSource({ cgroupRoot: empty }));
    expect(bare.gaps[0]!.reason).toMatch(/memory\.max does not exist.*memory controller may not be enabled/);
  });

  it('unreadable /proc/PID/cgroup text is one gap', async () => {
    expect(await readCgroupLimits('', LOCAL_HOST_SOURCE)).toMatchObject({ version: null, path: null, gaps: [{ fact: 'cgroup' }] });
  });

  it('reads the live host for this process without throwing', async () => {
    const text = readFileSync('/proc/self/cgroup', 'utf8');
    const limits = await readCgroupLimits(text, LOCAL_HOST_SOURCE);
    expect(limits.version).toBe(locateCgroup(parseProcCgroup(text), '/sys/fs/cgroup').version);
    expect(limits.memoryLimitBytes === null || limits.memoryLimitBytes > 0).toBe(true);
  });
});

describe('readCgroupUsage', () => {
  it('v1: a container that did 8 MiB of direct I/O each way, was OOM-killed once and throttled twice', async () => {
    const usage = await readCgroupUsage(...v1(USAGE));
    expect(usage).toEqual({
      cpuUsageUs: 88808, // cpuacct.usage 88808585 ns
      memoryBytes: 372736, // usage_in_bytes minus total_inactive_file (0)
      memoryLimitBytes: 16777216,
      pids: 1,
      pidsLimit: null,
      blockReadBytes: 8519680,
      blockWriteBytes: 8388608,
      cpuThrottledPeriods: 2,
      cpuThrottledUs: 145239, // throttled_time 145239611 ns
      oomKills: 1,
      pidsMaxHits: null, // this capture predates pids.events
    });
  });

  it('v1: forks refused at pids.max are counted from pids.events (captured: one refused fork at --pids-limit 5)', async () => {
    expect(await readCgroupUsage(...v1(FORKS_REFUSED))).toMatchObject({ pids: 4, pidsLimit: 5, pidsMaxHits: 1 }); // the exec'd shell died at the refusal: 5 − 1
    expect((await readCgroupUsage(...v1(LIMITED))).pidsMaxHits).toBe(0);
    expect((await readCgroupUsage(...v2(V2_PARENT))).pidsMaxHits).toBe(3);
  });

  it('v2 (doc format): the same facts from cpu.stat, memory.current/stat, io.stat, memory.events', async () => {
    const usage = await readCgroupUsage(...v2(V2_LIMITED));
    expect(usage).toEqual({
      cpuUsageUs: 88808,
      memoryBytes: 1445888 - 1060864, // memory.current minus inactive_file
      memoryLimitBytes: 67108864,
      pids: 1,
      pidsLimit: 50,
      blockReadBytes: 1459200 + 90430464,
      blockWriteBytes: 314773504 + 299008000,
      cpuThrottledPeriods: 2,
      cpuThrottledUs: 145239,
      oomKills: 1,
      pidsMaxHits: 0,
    });
  });

  it('v2 without the cpu controller enabled: cpu.stat has usage but no throttling counters, so those are null', async () => {
    const usage = await readCgroupUsage(...v2(V2_UNLIMITED));
    expect(usage).toMatchObject({ cpuUsageUs: 21110, cpuThrottledPeriods: null, cpuThrottledUs: null, blockReadBytes: 0, oomKills: 0, memoryLimitBytes: null });
  });

  it('nothing readable: all null, no throw', async () => {
    const usage = await readCgroupUsage('0::/gone', localSource({ cgroupRoot: '/nonexistent' }));
    expect(Object.values(usage).every((v) => v === null)).toBe(true);
  });
});
